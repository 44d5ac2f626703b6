/**
 * The three.js stage: renderer, a z-up camera with orbit controls (robots are z-up, as URDF and
 * ROS are), lights, a grid in the base's xy plane, and the target gizmo (TransformControls) that
 * drives the arm. Drawing happens on demand: `invalidate()` asks for one frame.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { TransformControls } from 'three/examples/jsm/controls/TransformControls.js';

export const BACKGROUND = 0x1d2330;

export class Stage {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera = new THREE.PerspectiveCamera(45, 1, 0.01, 100);
  readonly orbit: OrbitControls;
  readonly gizmo: TransformControls;
  /** The target pose the gizmo moves (its position and orientation are in the base frame). */
  readonly target = new THREE.Group();
  private grid: THREE.GridHelper | undefined;
  private frameRequested = false;
  private readonly beforeRender: (() => void)[] = [];

  constructor(readonly canvas: HTMLCanvasElement) {
    // preserveDrawingBuffer: the picture can be read back (screenshots, the tests' pixel check)
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.scene.background = new THREE.Color(BACKGROUND);
    this.camera.up.set(0, 0, 1);
    this.camera.position.set(1.6, -1.6, 1.2);
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x445566, 2.2));
    const sun = new THREE.DirectionalLight(0xffffff, 1.6);
    sun.position.set(2, -3, 4);
    this.scene.add(sun);
    this.orbit = new OrbitControls(this.camera, canvas);
    this.orbit.addEventListener('change', () => this.invalidate());

    const marker = new THREE.Mesh(new THREE.SphereGeometry(1, 16, 12), new THREE.MeshBasicMaterial({ color: 0xffd24a, transparent: true, opacity: 0.6 }));
    marker.name = 'target-marker';
    this.target.add(marker, new THREE.AxesHelper(1));
    this.scene.add(this.target);
    this.gizmo = new TransformControls(this.camera, canvas);
    this.gizmo.attach(this.target);
    this.gizmo.setSpace('local');
    this.gizmo.addEventListener('dragging-changed', (event) => { this.orbit.enabled = !event.value; });
    this.gizmo.addEventListener('change', () => this.invalidate());
    this.scene.add(this.gizmo.getHelper());

    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  /** Sizes the target marker, the gizmo and the grid for a robot of about `reach` metres, and frames it. */
  frame(center: THREE.Vector3, reach: number): void {
    const size = Math.max(reach, 0.2);
    this.target.children[0]!.scale.setScalar(size * 0.02);
    this.target.children[1]!.scale.setScalar(size * 0.08);
    this.gizmo.size = 0.8;
    if (this.grid) this.scene.remove(this.grid);
    const extent = Math.ceil(size * 2.5 * 10) / 10;
    this.grid = new THREE.GridHelper(extent, Math.round(extent * 10), 0x55607a, 0x343c4e);
    this.grid.rotation.x = Math.PI / 2; // three's grid lies in xz; the base's floor is xy
    this.scene.add(this.grid);
    this.orbit.target.copy(center);
    const direction = new THREE.Vector3(1.1, -1.3, 0.8).normalize();
    this.camera.position.copy(center).addScaledVector(direction, size * 2.2);
    this.camera.near = size / 100;
    this.camera.far = size * 100;
    this.camera.updateProjectionMatrix();
    this.orbit.update();
    this.invalidate();
  }

  /** Runs `callback` before every frame drawn (the drive loop reads the gizmo there). */
  onBeforeRender(callback: () => void): void {
    this.beforeRender.push(callback);
  }

  invalidate(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      for (const callback of this.beforeRender) callback();
      this.renderer.render(this.scene, this.camera);
      // where the target is on the canvas (CSS pixels): a hook for tests that drag the gizmo
      const p = this.target.position.clone().project(this.camera);
      this.canvas.dataset.targetScreen = `${((p.x + 1) / 2) * this.canvas.clientWidth} ${((1 - p.y) / 2) * this.canvas.clientHeight}`;
    });
  }

  private resize(): void {
    const width = this.canvas.clientWidth || 1;
    const height = this.canvas.clientHeight || 1;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.invalidate();
  }
}

/** A pose of the API ({ position, rotation rows }) as a three.js matrix. */
export function poseMatrix(pose: { position: number[]; rotation: number[][] }, out = new THREE.Matrix4()): THREE.Matrix4 {
  const [r0, r1, r2] = pose.rotation as [number[], number[], number[]];
  const [x, y, z] = pose.position as [number, number, number];
  // Matrix4.set takes its arguments row by row, as the API writes rotations
  return out.set(r0[0]!, r0[1]!, r0[2]!, x, r1[0]!, r1[1]!, r1[2]!, y, r2[0]!, r2[1]!, r2[2]!, z, 0, 0, 0, 1);
}
