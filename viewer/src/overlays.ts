/**
 * What the numbers mean, drawn at the tip: the Jacobian's columns as arrows, the manipulability
 * ellipsoids, the pose-uncertainty ellipsoid and the trace of the tip. Each is drawn from an API
 * answer as it is; the display scales are stated in the page's legend.
 */
import * as THREE from 'three';

/** Seconds of motion an arrow or the velocity ellipsoid shows: a column of 1 m/s per rad/s is 0.2 m long. */
export const VELOCITY_SCALE_S = 0.2;
/** Metres per N/(N·m) of the force ellipsoid: radius 1/σ N per N·m drawn 0.05 m per unit. */
export const FORCE_SCALE_M = 0.05;
/** The uncertainty ellipsoid is drawn this many times larger than it is (millimetres would not show). */
export const UNCERTAINTY_EXAGGERATION = 50;
/** Longest radius drawn (m): the force ellipsoid grows without bound towards a singularity. */
const MAX_RADIUS_M = 3;

/** One colour per joint (arrows, slider labels), repeating after ten. */
export function jointColour(k: number): THREE.Color {
  return new THREE.Color().setHSL(((k * 0.1) + 0.02) % 1, 0.75, 0.6);
}

/** The columns of a 6 x n Jacobian at the tip: linear rows (m/s per joint rate) or angular rows (rad/s per joint rate). */
export class JacobianArrows {
  readonly group = new THREE.Group();
  private arrows: THREE.ArrowHelper[] = [];

  constructor(dof: number) {
    for (let k = 0; k < dof; k++) {
      const arrow = new THREE.ArrowHelper(new THREE.Vector3(1, 0, 0), new THREE.Vector3(), 1, jointColour(k));
      this.arrows.push(arrow);
      this.group.add(arrow);
    }
  }

  update(jacobian: readonly (readonly number[])[], tip: THREE.Vector3, angular: boolean, reach: number): void {
    const first = angular ? 3 : 0;
    const column = new THREE.Vector3();
    // angular columns are unit vectors (rad/s per rad/s): drawn a fifth of the robot's reach long
    const scale = angular ? reach * 0.2 : VELOCITY_SCALE_S;
    this.arrows.forEach((arrow, k) => {
      column.set(jacobian[first]![k]!, jacobian[first + 1]![k]!, jacobian[first + 2]![k]);
      const length = column.length() * scale;
      // a joint that does not move the tip (another branch of a tree) has a zero column
      arrow.visible = length > 1e-9;
      if (!arrow.visible) return;
      arrow.position.copy(tip);
      arrow.setDirection(column.normalize());
      const head = Math.min(length * 0.3, reach * 0.03);
      arrow.setLength(length, head, head * 0.6);
    });
  }
}

/** An ellipsoid: a unit sphere scaled by the radii along the axes (rows, unit vectors) at a centre. */
export class EllipsoidMesh {
  readonly mesh: THREE.Mesh;

  constructor(colour: number, opacity: number) {
    const material = new THREE.MeshStandardMaterial({ color: colour, transparent: true, opacity, depthWrite: false, roughness: 0.7 });
    this.mesh = new THREE.Mesh(new THREE.SphereGeometry(1, 40, 24), material);
    this.mesh.matrixAutoUpdate = false;
    const wire = new THREE.LineSegments(new THREE.WireframeGeometry(new THREE.SphereGeometry(1, 16, 8)),
      new THREE.LineBasicMaterial({ color: colour, transparent: true, opacity: Math.min(1, opacity * 2) }));
    this.mesh.add(wire);
  }

  /** Shows the ellipsoid with `radii` (m) along `axes`, centred at `centre`. */
  update(axes: readonly (readonly number[])[], radii: readonly number[], centre: THREE.Vector3): void {
    const r = radii.map((x) => Math.min(Math.max(x, 1e-6), MAX_RADIUS_M));
    const [u, v, w] = axes as [number[], number[], number[]];
    // columns of the matrix are the axes scaled by their radii: x = Σ r_i a_i s_i maps the unit sphere onto the ellipsoid
    this.mesh.matrix.set(
      u[0]! * r[0]!, v[0]! * r[1]!, w[0]! * r[2]!, centre.x,
      u[1]! * r[0]!, v[1]! * r[1]!, w[1]! * r[2]!, centre.y,
      u[2]! * r[0]!, v[2]! * r[1]!, w[2]! * r[2]!, centre.z,
      0, 0, 0, 1,
    );
    this.mesh.matrixWorldNeedsUpdate = true;
  }
}

/** The trace of the tip: the last positions it was drawn at, as a line. */
export class TipTrace {
  static readonly POINTS = 2000;
  readonly line: THREE.Line;
  private readonly positions = new Float32Array(TipTrace.POINTS * 3);
  private count = 0;

  constructor() {
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute('position', new THREE.BufferAttribute(this.positions, 3));
    geometry.setDrawRange(0, 0);
    this.line = new THREE.Line(geometry, new THREE.LineBasicMaterial({ color: 0xff8a3d }));
    this.line.frustumCulled = false;
  }

  add(point: THREE.Vector3): void {
    const last = this.count - 1;
    if (last >= 0 && point.distanceTo(new THREE.Vector3().fromArray(this.positions, last * 3)) < 1e-6) return;
    if (this.count === TipTrace.POINTS) {
      this.positions.copyWithin(0, 3);
      this.count--;
    }
    point.toArray(this.positions, this.count * 3);
    this.count++;
    const geometry = this.line.geometry;
    geometry.setDrawRange(0, this.count);
    (geometry.getAttribute('position') as THREE.BufferAttribute).needsUpdate = true;
  }

  clear(): void {
    this.count = 0;
    this.line.geometry.setDrawRange(0, 0);
  }
}
