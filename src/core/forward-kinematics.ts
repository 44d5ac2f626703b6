/**
 * Forward kinematics: poses of links relative to the root or to any base link.
 */
import type { CompiledRobot } from './compiled-robot.js';
import { assertLength } from './errors.js';
import { assertLinkIndex } from './model.js';
import { SE3_SIZE, composeInverseTransform, copyTransform } from './se3.js';
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
 */
export function computeLinkPosesInBase(
  robot: CompiledRobot, ws: KinematicWorkspace, q: Float64Array, base: number, out: Float64Array,
): Float64Array {
  const { model } = robot;
  assertWorkspaceOf(model, ws);
  assertLinkIndex(model, base, 'base');
  if (base === 0) return computeLinkPoses(robot, q, out);
  assertLength('link poses output', SE3_SIZE * model.linkNames.length, out.length);
  computeLinkPoses(robot, q, ws.X_WL);
  const X_WB = ws.X_WB;
  copyTransform(X_WB, 0, ws.X_WL, SE3_SIZE * base);
  for (let link = 0; link < model.linkNames.length; link++) {
    composeInverseTransform(out, SE3_SIZE * link, X_WB, 0, ws.X_WL, SE3_SIZE * link);
  }
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
