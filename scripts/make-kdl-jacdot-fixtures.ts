/**
 * Makes test/fixtures/kdl-jacdot/: the Jacobian's time derivative by Orocos KDL's
 * ChainJntToJacDotSolver for every chain of the shared KDL reference data, in its three
 * representations (HYBRID, BODYFIXED, INERTIAL = our LOCAL_WORLD_ALIGNED, LOCAL, WORLD).
 *
 *   npx tsx scripts/make-kdl-jacdot-fixtures.ts [shared folder]   (default ../shared)
 *
 * Needs g++ and Debian's liborocos-kdl-dev, libkdl-parser-dev and liburdfdom-dev. For each chain:
 * the first CONFIGS configurations of the shared data with joint velocities drawn in [-1, 1]
 * (seeded), and for the first UNIT_CONFIGS configurations every unit joint velocity in HYBRID (the
 * columns of the Hessian). Chains with mimic joints get the same in the mimic-expanded convention:
 * q from the shared mimic_expanded configurations, each mimic joint's q and q̇ from its master's,
 * and the mimic joint's column folded into its master's (J̇ of a sum of columns is the sum of their
 * J̇). The corpus URDFs are read where they are and not copied; only the numbers are written.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SeededRandom } from '../src/core/ik/random.js';
import { ROOT } from './repo-root.js';

const CONFIGS = 12;
const UNIT_CONFIGS = 2;
const REPRESENTATIONS = ['LOCAL_WORLD_ALIGNED', 'LOCAL', 'WORLD'] as const; // KDL's 0, 1, 2

interface SharedConfig { q: number[] }
interface SharedReference {
  robot: string; base: string; tip: string; joint_names: string[];
  mimic_joints_in_chain: { joint: string; master: string; multiplier: number; offset: number }[];
  configs: SharedConfig[];
  mimic_expanded?: { variables: string[]; configs: SharedConfig[] };
}

/** One configuration with its joint velocities and dJ/dt (6 rows) per reference frame. */
export interface JacDotCase {
  q: number[]; qdot: number[];
  jacobianDerivative: Record<(typeof REPRESENTATIONS)[number], number[][]>;
}
/** dJ/dt (LOCAL_WORLD_ALIGNED) for the unit joint velocity of `joint`: column `joint` of the Hessian. */
export interface JacDotUnitCase { q: number[]; joint: number; jacobianDerivative: number[][] }
export interface JacDotConvention { variables: string[]; cases: JacDotCase[]; unit: JacDotUnitCase[] }
export interface JacDotFixture { robot: string; base: string; tip: string; raw: JacDotConvention; mimic_expanded?: JacDotConvention }

function buildSolver(): string {
  const binary = join(mkdtempSync(join(tmpdir(), 'kdl-jacdot-')), 'kdl-jacdot-reference');
  execFileSync('g++', ['-O2', '-std=c++17', '-o', binary, join(ROOT, 'scripts', 'kdl', 'kdl-jacdot-reference.cpp'),
    '-I/usr/include/eigen3', '-lkdl_parser', '-lorocos-kdl', '-lurdfdom_model'], { stdio: 'inherit' });
  return binary;
}

/** Runs KDL on raw chain cases: [representation, q, qdot] -> 6 x n rows. */
function runKdl(binary: string, urdf: string, base: string, tip: string, cases: [number, number[], number[]][]): { joints: string[]; results: number[][][] } {
  const input = cases.map(([rep, q, qdot]) => [String(rep), ...[...q, ...qdot].map((x) => x.toPrecision(17))].join(' ')).join('\n');
  const lines = execFileSync(binary, [urdf, base, tip], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim().split('\n');
  const joints = lines[0]!.trim().split(/\s+/);
  const n = joints.length;
  const results = lines.slice(1).map((line) => {
    const values = line.trim().split(/\s+/).map(Number);
    return Array.from({ length: 6 }, (_, r) => values.slice(r * n, (r + 1) * n));
  });
  return { joints, results };
}

function main(): void {
  const shared = resolve(process.argv[2] ?? join(ROOT, '..', 'shared'));
  const referenceDir = join(shared, 'kdl-reference');
  const out = join(ROOT, 'test', 'fixtures', 'kdl-jacdot');
  mkdirSync(out, { recursive: true });
  const binary = buildSolver();
  for (const file of readdirSync(referenceDir).filter((f) => f.endsWith('.json')).sort()) {
    const ref = JSON.parse(readFileSync(join(referenceDir, file), 'utf8')) as SharedReference;
    const urdf = join(shared, 'urdf-corpus', `${ref.robot}.urdf`);
    const random = new SeededRandom(0x1ac0d07 ^ file.length);
    const n = ref.joint_names.length;
    const mimicOf = new Map(ref.mimic_joints_in_chain.map((m) => [m.joint, m]));

    // the raw convention: every chain joint independent
    const raw = (qs: number[][], qdots: number[][]): JacDotConvention => {
      const cases: [number, number[], number[]][] = [];
      qs.forEach((q, i) => REPRESENTATIONS.forEach((_, rep) => cases.push([rep, q, qdots[i]!])));
      const unitCases: [number, number[], number[]][] = [];
      qs.slice(0, UNIT_CONFIGS).forEach((q) => { for (let k = 0; k < n; k++) unitCases.push([0, q, Array.from({ length: n }, (_, j) => (j === k ? 1 : 0))]); });
      const { joints, results } = runKdl(binary, urdf, ref.base, ref.tip, [...cases, ...unitCases]);
      if (joints.join() !== ref.joint_names.join()) throw new Error(`${file}: KDL's joints ${joints.join()} differ from ${ref.joint_names.join()}`);
      return {
        variables: ref.joint_names,
        cases: qs.map((q, i) => ({
          q, qdot: qdots[i]!,
          jacobianDerivative: Object.fromEntries(REPRESENTATIONS.map((frame, rep) => [frame, results[3 * i + rep]!])) as JacDotCase['jacobianDerivative'],
        })),
        unit: unitCases.map(([, q, qdot], i) => ({ q, joint: qdot.indexOf(1), jacobianDerivative: results[cases.length + i]! })),
      };
    };
    const qdotsFor = (count: number, length: number): number[][] => Array.from({ length: count }, () => Array.from({ length }, () => random.uniform(-1, 1)));
    const rawQs = ref.configs.slice(0, CONFIGS).map((c) => c.q);
    const fixture: JacDotFixture = { robot: ref.robot, base: ref.base, tip: ref.tip, raw: raw(rawQs, qdotsFor(rawQs.length, n)) };

    if (ref.mimic_expanded) {
      // the expanded variables drive the chain's joints: q_mimic = m q_master + offset, q̇_mimic = m q̇_master
      const variables = ref.mimic_expanded.variables;
      const expandedQs = ref.mimic_expanded.configs.slice(0, CONFIGS).map((c) => c.q);
      const expandedQdots = qdotsFor(expandedQs.length, variables.length);
      const toRaw = (values: number[], velocity: boolean): number[] => ref.joint_names.map((joint) => {
        const m = mimicOf.get(joint);
        const master = values[variables.indexOf(m ? m.master : joint)]!;
        return m ? m.multiplier * master + (velocity ? 0 : m.offset) : master;
      });
      const rawCases: [number, number[], number[]][] = [];
      expandedQs.forEach((q, i) => REPRESENTATIONS.forEach((_, rep) => rawCases.push([rep, toRaw(q, false), toRaw(expandedQdots[i]!, true)])));
      const unit: [number, number[], number[]][] = [];
      expandedQs.slice(0, UNIT_CONFIGS).forEach((q) => {
        for (let k = 0; k < variables.length; k++) unit.push([0, toRaw(q, false), toRaw(variables.map((_, j) => (j === k ? 1 : 0)), true)]);
      });
      const { results } = runKdl(binary, urdf, ref.base, ref.tip, [...rawCases, ...unit]);
      // fold: column of variable v = Σ over chain joints driven by v of multiplier · raw column
      const fold = (rows: number[][]): number[][] => rows.map((row) => variables.map((v) => ref.joint_names.reduce((sum, joint, j) => {
        const m = mimicOf.get(joint);
        const driver = m ? m.master : joint;
        return driver === v ? sum + (m ? m.multiplier : 1) * row[j]! : sum;
      }, 0)));
      fixture.mimic_expanded = {
        variables,
        cases: expandedQs.map((q, i) => ({
          q, qdot: expandedQdots[i]!,
          jacobianDerivative: Object.fromEntries(REPRESENTATIONS.map((frame, rep) => [frame, fold(results[3 * i + rep]!)])) as JacDotCase['jacobianDerivative'],
        })),
        unit: unit.map((_, i) => ({ q: expandedQs[Math.floor(i / variables.length)]!, joint: i % variables.length, jacobianDerivative: fold(results[rawCases.length + i]!) })),
      };
    }
    writeFileSync(join(out, file), `${JSON.stringify(fixture)}\n`);
    process.stdout.write(`${file}: ${fixture.raw.cases.length} cases${fixture.mimic_expanded ? ', mimic expanded too' : ''}\n`);
  }
}

main();
