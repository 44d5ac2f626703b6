/**
 * The robot in the scene: one group per link, placed at the link's pose from POST fk, holding the
 * link's frame (an RGB triad: x red, y green, z blue) and its URDF visuals; and the kinematic
 * skeleton: a capsule (a cylinder between two spheres) from each link's origin to each child's,
 * that is between consecutive joint origins, and each active joint's axis as an arrow at its
 * origin, coloured by how close the joint is to a limit.
 */
import * as THREE from 'three';
import type { Pose, RobotSummary } from './api.js';
import { poseMatrix } from './scene.js';
import type { RobotVisuals } from './visuals.js';

const Y = new THREE.Vector3(0, 1, 0);
const SKELETON = 0xb9c3d6;

interface Bone { mesh: THREE.Mesh; parent: string; child: string }

/**
 * How far a joint is from its nearer limit, as a fraction of half its range: 1 in the middle, 0
 * at a limit; undefined for a joint without limits (continuous).
 */
export function limitClearance(value: number, lower: number | undefined, upper: number | undefined): number | undefined {
  if (lower === undefined || upper === undefined || !(upper > lower)) return undefined;
  const half = (upper - lower) / 2;
  return Math.max(0, Math.min(1, Math.min(value - lower, upper - value) / half));
}

/** Green in the middle of the range, through yellow, to red at a limit; blue for no limits. */
export function clearanceColor(clearance: number | undefined, out = new THREE.Color()): THREE.Color {
  if (clearance === undefined) return out.setHSL(0.58, 0.6, 0.6);
  // hue 0 (red) at the limit to 1/3 (green) from 40 % of the half range inwards
  return out.setHSL(Math.min(1, clearance / 0.4) / 3, 0.85, 0.5);
}

export class RobotDrawing {
  readonly root = new THREE.Group();
  private readonly links = new Map<string, THREE.Group>();
  private readonly triads: THREE.AxesHelper[] = [];
  private readonly visualGroups: THREE.Object3D[] = [];
  private readonly bones: Bone[] = [];
  private readonly joints = new Map<string, THREE.Mesh>();
  private readonly axes = new Map<string, THREE.ArrowHelper>();
  private readonly scratch = { a: new THREE.Vector3(), b: new THREE.Vector3(), m: new THREE.Matrix4() };
  /** The drawing's size (the longest distance of a link origin from the base), set by the first `place`. */
  reach = 0;
  /** The box around the link origins at the first `place` (for framing the view). */
  readonly bounds = new THREE.Box3();

  constructor(readonly summary: RobotSummary, visuals: RobotVisuals) {
    const boneMaterial = new THREE.MeshStandardMaterial({ color: SKELETON, roughness: 0.55, metalness: 0.1 });
    for (const link of summary.links) {
      const group = new THREE.Group();
      group.name = link.name;
      group.matrixAutoUpdate = false;
      const triad = new THREE.AxesHelper(1);
      this.triads.push(triad);
      group.add(triad);
      for (const visual of visuals.byLink.get(link.name) ?? []) {
        group.add(visual);
        this.visualGroups.push(visual);
      }
      this.links.set(link.name, group);
      this.root.add(group);
      if (link.parentLink) {
        const mesh = new THREE.Mesh(new THREE.CylinderGeometry(1, 1, 1, 20), boneMaterial);
        this.bones.push({ mesh, parent: link.parentLink, child: link.name });
        this.root.add(mesh);
      }
    }
    for (const joint of summary.joints) {
      const ball = new THREE.Mesh(new THREE.SphereGeometry(1, 20, 14), new THREE.MeshStandardMaterial({ color: SKELETON, roughness: 0.5 }));
      this.joints.set(joint.name, ball);
      this.root.add(ball);
      const arrow = new THREE.ArrowHelper(new THREE.Vector3(0, 0, 1), new THREE.Vector3(), 1, 0xffffff);
      this.axes.set(joint.name, arrow);
      this.root.add(arrow);
    }
  }

  /** Shows or hides the link frames and the URDF visuals. */
  setVisible(what: { frames: boolean; visuals: boolean }): void {
    for (const triad of this.triads) triad.visible = what.frames;
    for (const visual of this.visualGroups) visual.visible = what.visuals;
  }

  /** Places every link at its pose (POST fk, all links) and sizes the skeleton to the robot. */
  place(poses: Record<string, Pose>): void {
    const { a, b } = this.scratch;
    for (const [name, group] of this.links) {
      const pose = poses[name];
      if (!pose) continue;
      poseMatrix(pose, group.matrix);
      group.matrixWorldNeedsUpdate = true;
    }
    if (this.reach === 0) {
      for (const pose of Object.values(poses)) {
        a.fromArray(pose.position);
        this.reach = Math.max(this.reach, a.length());
        this.bounds.expandByPoint(a);
      }
      this.reach = Math.max(this.reach, 0.05);
    }
    const radius = THREE.MathUtils.clamp(this.reach * 0.018, 0.002, 0.06);
    for (const triad of this.triads) triad.scale.setScalar(radius * 4);
    for (const bone of this.bones) {
      const from = poses[bone.parent], to = poses[bone.child];
      if (!from || !to) continue;
      a.fromArray(from.position);
      b.fromArray(to.position);
      const length = a.distanceTo(b);
      bone.mesh.visible = length > radius * 0.5;
      if (!bone.mesh.visible) continue;
      bone.mesh.position.copy(a).add(b).multiplyScalar(0.5);
      bone.mesh.quaternion.setFromUnitVectors(Y, b.sub(a).normalize());
      bone.mesh.scale.set(radius, length, radius);
    }
    for (const joint of this.summary.joints) {
      const pose = poses[joint.childLink];
      const ball = this.joints.get(joint.name)!, arrow = this.axes.get(joint.name)!;
      if (!pose) continue;
      // the joint frame is the child link's frame, and the axis is given in it
      a.fromArray(pose.position);
      ball.position.copy(a);
      ball.scale.setScalar(radius * 1.35);
      const [r0, r1, r2] = pose.rotation as [number[], number[], number[]];
      const [x, y, z] = joint.axis as [number, number, number];
      b.set(r0[0]! * x + r0[1]! * y + r0[2]! * z, r1[0]! * x + r1[1]! * y + r1[2]! * z, r2[0]! * x + r2[1]! * y + r2[2]! * z);
      arrow.position.copy(a);
      arrow.setDirection(b.normalize());
      arrow.setLength(radius * 7, radius * 2.2, radius * 1.4);
    }
  }

  /** Colours each joint's ball and axis by its limit clearance (see `limitClearance`). */
  colourByLimits(q: readonly number[]): void {
    const colour = new THREE.Color();
    this.summary.joints.forEach((joint, k) => {
      clearanceColor(limitClearance(q[k]!, joint.limits.lower, joint.limits.upper), colour);
      (this.joints.get(joint.name)!.material as THREE.MeshStandardMaterial).color.copy(colour);
      this.axes.get(joint.name)!.setColor(colour);
    });
  }

  /** The link's current pose matrix (for placing overlays). */
  linkMatrix(name: string): THREE.Matrix4 | undefined {
    return this.links.get(name)?.matrix;
  }
}
