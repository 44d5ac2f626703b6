/**
 * The robot's visual geometry, from its URDF (GET /robots/{id}/urdf) through urdf-loader: boxes,
 * cylinders and spheres with their materials and visual origins, grouped by link. Only the
 * geometry is taken: where each link is comes from the fk route, never from urdf-loader's joints.
 *
 * Meshes are not drawn: the service stores a robot's URDF text and no mesh files, so a
 * `package://` or `file://` mesh cannot be served, and one on another host must not be fetched
 * (the page loads nothing from elsewhere). Textures are dropped for the same reason. Links whose
 * visuals are all meshes are shown by the kinematic skeleton alone.
 */
import type * as THREE from 'three';
import URDFLoader from 'urdf-loader';

export interface RobotVisuals {
  /** Per link, its drawable visual groups (each placed by its visual origin in the link frame). */
  byLink: Map<string, THREE.Object3D[]>;
  /** How many visuals were meshes that could not be served. */
  meshesNotServed: number;
  /** How many primitive visuals were found. */
  primitives: number;
}

/** Whether a visual group holds something to draw (a primitive; a mesh would have been added by loadMeshCb). */
function hasGeometry(visual: THREE.Object3D): boolean {
  return visual.children.length > 0;
}

export function parseVisuals(urdf: string): RobotVisuals {
  const document = new DOMParser().parseFromString(urdf, 'application/xml');
  for (const texture of [...document.getElementsByTagName('texture')]) texture.remove();
  let meshesNotServed = 0;
  const loader = new URDFLoader();
  loader.parseCollision = false;
  // never fetch a mesh (see above): count it, add nothing
  loader.loadMeshCb = () => { meshesNotServed++; };
  // a path that resolves every package:// mesh to something (urdf-loader skips the callback otherwise)
  loader.packages = () => '';
  const byLink = new Map<string, THREE.Object3D[]>();
  let primitives = 0;
  // urdf-loader's declarations import './URDFClasses' without an extension, which NodeNext
  // resolution cannot follow: the one field used is typed here
  const robot = loader.parse(document) as unknown as { links: Record<string, THREE.Object3D> };
  for (const [name, link] of Object.entries(robot.links)) {
    const visuals = link.children.filter((child: THREE.Object3D) => (child as { isURDFVisual?: boolean }).isURDFVisual === true && hasGeometry(child));
    if (visuals.length === 0) continue;
    primitives += visuals.length;
    for (const visual of visuals) link.remove(visual);
    byLink.set(name, visuals);
  }
  return { byLink, meshesNotServed, primitives };
}
