/**
 * Forward kinematics: poses of links relative to the root or to any base link.
 */
import type { CompiledRobot } from './compiled-robot.js';
import { assertLength } from './errors.js';
import { assertLinkIndex } from './model.js';
import { computeLinkPlacement } from './reference-kinematics.js';
import { SE3_SIZE, composeTransforms, invertTransform, setIdentity } from './se3.js';
import { assertWorkspaceOf, type KinematicWorkspace } from './workspace.js';

/**
 * Writes X_WL, the pose of every link in the root frame W (12 doubles per link, in
 * `model.linkNames` order) and returns `out`.
 */
export function computeLinkPoses(
  robot: CompiledRobot, q: Float64Array, out: Float64Array,
): Float64Array {
  const { model } = robot;
  assertLength('q', model.dof, q.length);
  assertLength('link poses output', SE3_SIZE * model.linkNames.length, out.length);
  robot.linkPoses(q, out);
  return out;
}

/**
 * Writes X_BL, the pose of every link in the frame of link `base`, and returns `out`.
 * With base 0 (the root) this is {@link computeLinkPoses}.
 *
 * The poses are composed along the tree re-rooted at B, not as X_WB⁻¹ X_WL: up from B to the
 * root by inverse placements, X_BP = X_BL · X_PL⁻¹ for each ancestor P of B, then down to every
 * other link, X_BL = X_BP · X_PL. So a joint that moves B far from the root (a rail at 10⁶ m)
 * costs no precision: each pose carries only the rounding of its own path from B, as the
 * Jacobian's does, and both give the same tip pose to rounding.
 */
export function computeLinkPosesInBase(
  robot: CompiledRobot, ws: KinematicWorkspace, q: Float64Array, base: number, out: Float64Array,
): Float64Array {
  const { model } = robot;
  assertWorkspaceOf(model, ws);
  assertLinkIndex(model, base, 'base');
  if (base === 0) return computeLinkPoses(robot, q, out);
  assertLength('q', model.dof, q.length);
  assertLength('link poses output', SE3_SIZE * model.linkNames.length, out.length);
  const parent = model.parent, onPathUp = ws.linkMarks, X_PL = ws.X_PL, X_LP = ws.X_LP;
  setIdentity(out, SE3_SIZE * base);
  for (let link = base; link !== 0; link = parent[link]!) {
    onPathUp[link] = 1;
    computeLinkPlacement(model, link, q, X_PL, 0);
    invertTransform(X_LP, 0, X_PL, 0);
    composeTransforms(out, SE3_SIZE * parent[link]!, out, SE3_SIZE * link, X_LP, 0);
  }
  // parents come before children (depth-first pre-order): X_BP is known when L is reached
  for (let link = 1; link < model.linkNames.length; link++) {
    if (onPathUp[link] !== 0) continue;
    computeLinkPlacement(model, link, q, X_PL, 0);
    composeTransforms(out, SE3_SIZE * link, out, SE3_SIZE * parent[link]!, X_PL, 0);
  }
  for (let link = base; link !== 0; link = parent[link]!) onPathUp[link] = 0;
  return out;
}

/** Writes X_BE, the pose of link `tip` in the frame of link `base`, and returns `out`. */
export function computePose(
  robot: CompiledRobot, q: Float64Array, base: number, tip: number, out: Float64Array,
): Float64Array {
  const { model } = robot;
  assertLength('q', model.dof, q.length);
  assertLength('pose output', SE3_SIZE, out.length);
  assertLinkIndex(model, base, 'base');
  assertLinkIndex(model, tip, 'tip');
  robot.path(base, tip).pose(q, out);
  return out;
}
