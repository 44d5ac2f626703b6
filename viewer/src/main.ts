/**
 * The viewer page: loads a robot through the API, draws it at the link poses of POST fk, and
 * draws what the Jacobian, manipulability and uncertainty routes answer at its tip. Sliders set
 * q; the target gizmo drives the arm by ik/step, one step per displayed frame; Solve calls
 * ik/solve. Nothing here computes kinematics: every pose and number is an API answer.
 */
import * as THREE from 'three';
import { ApiError, api, type FkResponse, type IkStepResponse, type JacobianResponse, type ManipulabilityResponse, type RobotSummary,
  type UncertaintyResponse } from './api.js';
import { velocityEllipsoid } from './ellipsoid-geometry.js';
import { EllipsoidMesh, FORCE_SCALE_M, JacobianArrows, TipTrace, UNCERTAINTY_EXAGGERATION, VELOCITY_SCALE_S, jointColour } from './overlays.js';
import { buildJointSliders, byId, drawSingularValues, exact, sliderRange, type JointSliders } from './panel.js';
import { clearanceColor, limitClearance, RobotDrawing } from './robot-drawing.js';
import { Stage } from './scene.js';
import { parseVisuals } from './visuals.js';

/** Steps after the gizmo is let go before the drive gives up on a target it cannot reach. */
const MAX_STEPS_AFTER_RELEASE = 400;
/** Budget of a Solve (ms): the service's default of 5 ms is for control loops, a person can wait. */
const SOLVE_TIMEOUT_MS = 500;

interface Loaded {
  summary: RobotSummary;
  tip: string;
  q: number[];
  drawing: RobotDrawing;
  arrows: JacobianArrows;
  sliders: JointSliders;
  /** undefined until the uncertainty route has answered once; false after a 404. */
  uncertaintyAvailable: boolean | undefined;
  /** The tip pose of the last answer (for Solve's orientation and the gizmo). */
  tipPose: FkResponse['poses'][string] | undefined;
}

const canvas = byId<HTMLCanvasElement>('viewer-canvas');
const statusText = byId('status');
const robotSelect = byId<HTMLSelectElement>('robot-select');
const tipSelect = byId<HTMLSelectElement>('tip-select');
const checkbox = (id: string): HTMLInputElement => byId<HTMLInputElement>(id);
const show = {
  linear: checkbox('show-linear'), angular: checkbox('show-angular'), velocity: checkbox('show-velocity'), force: checkbox('show-force'),
  uncertainty: checkbox('show-uncertainty'), trace: checkbox('show-trace'), frames: checkbox('show-frames'), visuals: checkbox('show-visuals'),
};
const targetInputs = ['target-x', 'target-y', 'target-z'].map((id) => byId<HTMLInputElement>(id));

const stage = new Stage(canvas);
const trace = new TipTrace();
const velocity = new EllipsoidMesh(0x4fc3f7, 0.22);
const force = new EllipsoidMesh(0xce93d8, 0.18);
const uncertainty = new EllipsoidMesh(0xff5252, 0.35);
stage.scene.add(trace.line, velocity.mesh, force.mesh, uncertainty.mesh);

let robot: Loaded | undefined;
/** A load in progress: answers for an older robot are dropped. */
let loadCount = 0;

function setStatus(text: string, error = false): void {
  statusText.textContent = text;
  statusText.classList.toggle('error', error);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---- the update pump: at most one computation in flight, the newest state wins ----

let busy = false;
let refreshWanted = false;
/** Whether the arm follows the gizmo (set by dragging it; cleared once it has arrived). */
let driving = false;
let dragging = false;
let stepsSinceRelease = 0;
/** After a slider move or a solve, the gizmo is put back on the tip. */
let snapTarget = true;

const nextFrame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));

function requestRefresh(): void {
  refreshWanted = true;
  void pump();
}

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    while (robot && (refreshWanted || driving)) {
      const current = robot;
      if (driving) await step(current);
      refreshWanted = false;
      await refresh(current);
      // display rate: one step and one redraw per frame
      if (driving) await nextFrame();
    }
  } catch (error) {
    driving = false;
    setStatus(describe(error), true);
  } finally {
    busy = false;
  }
}

/** Target of the gizmo as an API pose (quaternion [x, y, z, w], w >= 0). */
function gizmoPose(): { position: number[]; quaternion: number[] } {
  const p = stage.target.position, r = stage.target.quaternion.clone().normalize();
  const sign = r.w < 0 ? -1 : 1;
  return { position: [p.x, p.y, p.z], quaternion: [sign * r.x, sign * r.y, sign * r.z, sign * r.w] };
}

async function step(current: Loaded): Promise<void> {
  const answer = await api.ikStep(current.summary.id, { q: current.q, target: gizmoPose(), tip: current.tip });
  if (current !== robot) return;
  setJoints(current, answer.q);
  showIk(`ik/step: ${answer.status}, error ${formatError(answer.errorAfter)}`);
  stepsSinceRelease = dragging ? 0 : stepsSinceRelease + 1;
  if (!dragging && (answer.status === 'converged' || stepsSinceRelease >= MAX_STEPS_AFTER_RELEASE || stalled(answer))) driving = false;
  setStatus(driving ? `following the target (ik/step ${answer.status})` : `ik/step ${answer.status}`);
}

/** A step that changed nothing (held at a limit or a singularity): no use repeating it. */
function stalled(answer: IkStepResponse): boolean {
  return answer.dq.every((d) => Math.abs(d) < 1e-12);
}

function formatError(error: { position: number; orientation: number }): string {
  return `${(error.position * 1000).toFixed(3)} mm, ${(error.orientation * 180 / Math.PI).toFixed(3)}°`;
}

function showIk(text: string): void {
  byId('ik-result').textContent = text;
}

function setJoints(current: Loaded, q: number[]): void {
  current.q = [...q];
  current.sliders.inputs.forEach((input, k) => { input.value = String(q[k]); });
}

/** One round of answers for the robot's current q: fk for the drawing, the Jacobian, manipulability and uncertainty for the overlays. */
async function refresh(current: Loaded): Promise<void> {
  const { id } = current.summary;
  const q = [...current.q];
  const tip = current.tip;
  const [fk, jacobian, manipulability, translation, pose] = await Promise.all([
    api.fk(id, { q }),
    api.jacobian(id, { q, tip, analysis: true }),
    api.manipulability(id, { q, tip }),
    api.manipulability(id, { q, tip, axes: 'translation' }),
    fetchUncertainty(current, q),
  ]);
  if (current !== robot) return;
  draw(current, q, fk, jacobian, manipulability, translation, pose);
  if (!driving) setStatus('ready');
}

async function fetchUncertainty(current: Loaded, q: number[]): Promise<UncertaintyResponse | undefined> {
  if (!show.uncertainty.checked || current.uncertaintyAvailable === false) return undefined;
  const sigma = Number(byId<HTMLInputElement>('joint-std-dev').value);
  if (!(sigma >= 0)) return undefined;
  try {
    const answer = await api.uncertainty(current.summary.id, { q, jointStdDev: q.map(() => sigma), tip: current.tip });
    current.uncertaintyAvailable = true;
    return answer;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      // the robot exists (it was just loaded), so a 404 is the route: this service has no uncertainty yet
      current.uncertaintyAvailable = false;
      return undefined;
    }
    throw error;
  }
}

function draw(current: Loaded, q: number[], fk: FkResponse, jacobian: JacobianResponse, manipulability: ManipulabilityResponse,
  translation: ManipulabilityResponse, pose: UncertaintyResponse | undefined): void {
  const { drawing, sliders, summary } = current;
  drawing.place(fk.poses);
  drawing.colourByLimits(q);
  drawing.setVisible({ frames: show.frames.checked, visuals: show.visuals.checked });
  const colour = new THREE.Color();
  summary.joints.forEach((joint, k) => {
    sliders.values[k]!.textContent = q[k]!.toFixed(3);
    sliders.inputs[k]!.style.accentColor = `#${clearanceColor(limitClearance(q[k]!, joint.limits.lower, joint.limits.upper), colour).getHexString()}`;
  });

  const tipPose = fk.poses[current.tip]!;
  current.tipPose = tipPose;
  const tip = new THREE.Vector3().fromArray(tipPose.position);
  byId('tip-position').textContent = exact(tipPose.position);
  byId('tip-quaternion').textContent = tipPose.quaternion.map((v) => v.toFixed(5)).join(' ');
  if (snapTarget) {
    stage.target.position.copy(tip);
    stage.target.quaternion.fromArray(tipPose.quaternion);
    targetInputs.forEach((input, k) => { input.value = tipPose.position[k]!.toFixed(4); });
    snapTarget = false;
  }

  const reach = drawing.reach;
  const J = jacobian.jacobian;
  current.arrows.group.visible = show.linear.checked || show.angular.checked;
  current.arrows.update(J, tip, !show.linear.checked && show.angular.checked, reach);

  const analysis = jacobian.analysis!;
  byId('manipulability').textContent = String(manipulability.value);
  byId('manipulability-translation').textContent = String(translation.value);
  byId('condition-number').textContent = analysis.conditionNumber === undefined ? '∞ (singular)' : analysis.conditionNumber.toPrecision(6);
  drawSingularValues(byId('singular-values'), analysis.singularValues);

  const ellipsoid = velocityEllipsoid(J);
  byId('velocity-radii').textContent = exact(ellipsoid.radii);
  velocity.mesh.visible = show.velocity.checked;
  velocity.update(ellipsoid.axes, ellipsoid.radii.map((r) => r * VELOCITY_SCALE_S), tip);
  force.mesh.visible = show.force.checked;
  force.update(ellipsoid.axes, ellipsoid.radii.map((r) => (r > 0 ? FORCE_SCALE_M / r : Infinity)), tip);

  const uncertaintyText = byId('uncertainty');
  uncertaintyText.classList.toggle('unavailable', current.uncertaintyAvailable === false);
  if (current.uncertaintyAvailable === false) {
    uncertaintyText.textContent = 'not available: this service has no POST /robots/{id}/uncertainty (it answered 404)';
  } else if (!show.uncertainty.checked) {
    uncertaintyText.textContent = 'hidden';
  } else if (pose) {
    const { axes, radii, confidence } = pose.position.ellipsoid;
    uncertaintyText.textContent = `${exact(radii)} (${Math.round(confidence * 100)} %)`;
    uncertainty.update(axes, radii.map((r) => r * UNCERTAINTY_EXAGGERATION), tip);
  }
  uncertainty.mesh.visible = show.uncertainty.checked && pose !== undefined;

  trace.line.visible = show.trace.checked;
  trace.add(tip);
  stage.invalidate();
}

// ---- loading a robot ----

function initialConfiguration(summary: RobotSummary): number[] {
  return summary.joints.map((joint) => {
    const [lower, upper] = sliderRange(joint);
    return lower <= 0 && upper >= 0 ? 0 : (lower + upper) / 2;
  });
}

async function loadRobot(id: string): Promise<void> {
  const load = ++loadCount;
  setStatus(`loading ${id}…`);
  driving = false;
  const [summary, urdf] = await Promise.all([api.robot(id), api.urdf(id)]);
  if (load !== loadCount) return;
  let visuals: ReturnType<typeof parseVisuals> = { byLink: new Map(), meshesNotServed: 0, primitives: 0 };
  try {
    visuals = parseVisuals(urdf);
  } catch (error) {
    console.warn('the URDF visuals could not be read; drawing the skeleton only', error);
  }
  if (robot) {
    stage.scene.remove(robot.drawing.root, robot.arrows.group);
  }
  const drawing = new RobotDrawing(summary, visuals);
  const arrows = new JacobianArrows(summary.dof);
  stage.scene.add(drawing.root, arrows.group);
  const tips = summary.defaultTip ? [summary.defaultTip, ...summary.tipLinks.filter((t) => t !== summary.defaultTip)] : summary.tipLinks;
  tipSelect.replaceChildren(...tips.map((name) => new Option(name, name)));
  tipSelect.disabled = tips.length < 2;
  const q = initialConfiguration(summary);
  const colours = summary.joints.map((_joint, k) => jointColour(k));
  const current: Loaded = {
    summary, tip: tips[0]!, q, drawing, arrows, uncertaintyAvailable: undefined, tipPose: undefined,
    sliders: buildJointSliders(byId('joints'), summary, colours, q, (k, value) => {
      current.q[k] = value;
      driving = false;
      snapTarget = true;
      requestRefresh();
    }),
  };
  robot = current;
  robotSelect.value = id;
  trace.clear();
  snapTarget = true;
  const url = new URL(window.location.href);
  url.searchParams.set('robot', id);
  window.history.replaceState(null, '', url);
  requestRefresh();
  // frame the robot once its first poses are in
  while (busy || refreshWanted) await nextFrame();
  if (robot !== current) return;
  // look at the middle of the robot's footprint, at a third of its reach up: a pose at rest
  // (often stretched out flat) and the poses it is moved into both stay in view
  const centre = drawing.bounds.getCenter(new THREE.Vector3()).multiplyScalar(0.5).setZ(drawing.reach * 0.35);
  stage.frame(centre, drawing.reach);
  if (visuals.meshesNotServed > 0) {
    setStatus(`ready: ${visuals.meshesNotServed} mesh visuals are not served by this service; drawing the skeleton${visuals.primitives ? ' and the primitive visuals' : ''}`);
  }
}

// ---- controls ----

robotSelect.addEventListener('change', () => { loadRobot(robotSelect.value).catch((error) => setStatus(describe(error), true)); });
tipSelect.addEventListener('change', () => {
  if (!robot) return;
  robot.tip = tipSelect.value;
  trace.clear();
  snapTarget = true;
  requestRefresh();
});
for (const input of Object.values(show)) input.addEventListener('change', requestRefresh);
byId('joint-std-dev').addEventListener('change', requestRefresh);
byId('clear-trace').addEventListener('click', () => { trace.clear(); stage.invalidate(); });
byId('gizmo-mode').addEventListener('click', (event) => {
  const rotate = stage.gizmo.mode !== 'rotate';
  stage.gizmo.setMode(rotate ? 'rotate' : 'translate');
  (event.target as HTMLButtonElement).textContent = rotate ? 'move gizmo' : 'rotate gizmo';
});
stage.gizmo.addEventListener('dragging-changed', (event) => {
  dragging = event.value === true;
  if (dragging) {
    driving = true;
    stepsSinceRelease = 0;
    void pump();
  }
});
stage.gizmo.addEventListener('objectChange', () => {
  if (!dragging) return;
  targetInputs.forEach((input, k) => { input.value = stage.target.position.getComponent(k).toFixed(4); });
  driving = true;
  void pump();
});

byId('solve-button').addEventListener('click', () => {
  const current = robot;
  if (!current?.tipPose) return;
  const position = targetInputs.map((input) => Number(input.value));
  if (position.some((x) => !Number.isFinite(x) || targetInputs.some((input) => input.value.trim() === ''))) {
    setStatus('type the target position as three numbers (m)', true);
    return;
  }
  const target = { position, quaternion: current.tipPose.quaternion };
  setStatus('solving (ik/solve)…');
  driving = false;
  api.ikSolve(current.summary.id, { target, tip: current.tip, seed: current.q, timeoutMs: SOLVE_TIMEOUT_MS, randomSeed: 1 })
    .then((answer) => {
      if (current !== robot) return;
      setJoints(current, answer.q);
      showIk(`ik/solve: ${answer.status} after ${answer.iterations} iterations and ${answer.restarts} restarts, error ${formatError(answer.error)}`);
      stage.target.position.fromArray(position);
      stage.target.quaternion.fromArray(target.quaternion);
      requestRefresh();
    })
    .catch((error) => setStatus(describe(error), true));
});

async function start(): Promise<void> {
  const { robots } = await api.robots();
  robotSelect.replaceChildren(...robots.map((r) => new Option(`${r.id} (${r.dof} joints${r.source === 'uploaded' ? ', uploaded' : ''})`, r.id)));
  const wanted = new URLSearchParams(window.location.search).get('robot');
  const id = wanted && robots.some((r) => r.id === wanted) ? wanted : robots[0]?.id;
  if (!id) {
    setStatus('the service has no robots: upload one with POST /robots', true);
    return;
  }
  if (wanted && wanted !== id) setStatus(`no robot "${wanted}"; showing ${id}`, true);
  await loadRobot(id);
}

start().catch((error) => setStatus(describe(error), true));
