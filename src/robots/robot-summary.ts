/**
 * The kinematic summary of a robot that the API returns: active joints in q order with their
 * axes, origins and limits, mimic joints, and the link tree.
 */
import type { KinematicModel } from '../core/model.js';
import type { JointType } from '../core/robot-description.js';

export type RobotSource = 'builtin' | 'uploaded';

export interface JointSummary {
  name: string;
  type: JointType;
  parentLink: string;
  childLink: string;
  /** Unit axis in the joint frame. */
  axis: [number, number, number];
  origin: { xyz: [number, number, number]; rpy: [number, number, number] };
  limits: { lower?: number; upper?: number; velocity?: number; effort?: number };
}

export interface RobotListItem {
  id: string;
  name: string;
  dof: number;
  joints: string[];
  baseLink: string;
  tipLinks: string[];
  defaultTip?: string;
  source: RobotSource;
  /** Hex SHA-256 of the URDF text as stored: which model answers. */
  sha256: string;
}

export interface RobotSummary {
  id: string;
  name: string;
  source: RobotSource;
  /** Hex SHA-256 of the URDF text as stored (also the ETag of GET /robots/{id} and its /urdf). */
  sha256: string;
  dof: number;
  baseLink: string;
  defaultTip?: string;
  tipLinks: string[];
  joints: JointSummary[];
  mimicJoints: { name: string; leader: string; multiplier: number; offset: number }[];
  links: { name: string; parentLink?: string; parentJoint?: string }[];
}

export function summarizeRobot(id: string, model: KinematicModel, source: RobotSource, sha256: string): RobotSummary {
  const byName = new Map(model.description.joints.map((j) => [j.name, j]));
  const joints = model.jointNames.map((name, k): JointSummary => {
    const j = byName.get(name)!;
    const link = model.jointLink[k]!;
    const limits: JointSummary['limits'] = {};
    if (Number.isFinite(model.qLower[k]!)) limits.lower = model.qLower[k]!;
    if (Number.isFinite(model.qUpper[k]!)) limits.upper = model.qUpper[k]!;
    if (j.limits.velocity !== undefined) limits.velocity = j.limits.velocity;
    if (j.limits.effort !== undefined) limits.effort = j.limits.effort;
    return {
      name, type: j.type, parentLink: j.parent, childLink: j.child,
      axis: [model.axis[3 * link]!, model.axis[3 * link + 1]!, model.axis[3 * link + 2]!],
      origin: { xyz: [...j.xyz], rpy: [...j.rpy] },
      limits,
    };
  });
  const summary: RobotSummary = {
    id, name: model.name, source, sha256, dof: model.dof, baseLink: model.linkNames[0]!,
    tipLinks: [...model.tipLinks], joints,
    mimicJoints: model.mimics.map((m) => ({ name: m.name, leader: m.leader, multiplier: m.multiplier, offset: m.offset })),
    links: model.linkNames.map((name, i) => (i === 0
      ? { name }
      : { name, parentLink: model.linkNames[model.parent[i]!]!, parentJoint: model.jointNameOfLink[i]! })),
  };
  if (model.defaultTip !== undefined) summary.defaultTip = model.defaultTip;
  return summary;
}

export function listItemOf(summary: RobotSummary): RobotListItem {
  const item: RobotListItem = {
    id: summary.id, name: summary.name, dof: summary.dof, joints: summary.joints.map((j) => j.name),
    baseLink: summary.baseLink, tipLinks: summary.tipLinks, source: summary.source, sha256: summary.sha256,
  };
  if (summary.defaultTip !== undefined) item.defaultTip = summary.defaultTip;
  return item;
}
