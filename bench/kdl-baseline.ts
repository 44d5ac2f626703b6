/**
 * The Orocos KDL baselines: builds the C++ harnesses in bench/kdl against Debian's
 * liborocos-kdl-dev and libkdl-parser-dev (when their headers are installed) and runs them on the
 * same robots, chains and cases as the TypeScript benchmarks, in the same run. Where KDL is not
 * available they return the reason instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './paths.js';

export interface KdlTiming { dof: number; fkNs: number; jacobianNs: number; jacobianDerivativeNs: number }

export interface KdlIkSolverResult { successRate: number; meanUs: number; medianUs: number; p99Us: number; outsideLimits: number }
export interface KdlIkResult { nrjl: KdlIkSolverResult; lma: KdlIkSolverResult }

export type Unavailable = { unavailable: string };

const HEADERS = ['/usr/include/kdl/chainjnttojacsolver.hpp', '/usr/include/kdl_parser/kdl_parser.hpp'];

/** Compiles bench/kdl/<name>.cpp; the binary's path, or why it could not be built. */
function build(name: string): string | Unavailable {
  if (process.env.KDL_BASELINE === 'off') return { unavailable: 'turned off (KDL_BASELINE=off)' };
  if (!HEADERS.every(existsSync)) {
    return { unavailable: 'Orocos KDL headers not found (apt-get install liborocos-kdl-dev libkdl-parser-dev g++)' };
  }
  const binary = join(mkdtempSync(join(tmpdir(), 'kdl-bench-')), name);
  try {
    execFileSync('g++', ['-O2', '-DNDEBUG', '-std=c++17', '-o', binary, join(ROOT, 'bench', 'kdl', `${name}.cpp`),
      '-I/usr/include/eigen3', '-lkdl_parser', '-lorocos-kdl', '-lurdfdom_model'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    return { unavailable: `building ${name} failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}` };
  }
  return binary;
}

/** FK and Jacobian timing of KDL's chain solvers. */
export function buildKdlBaseline(seconds: number): { run(urdf: string, base: string, tip: string): KdlTiming } | Unavailable {
  const binary = build('kdl-bench');
  if (typeof binary !== 'string') return binary;
  return { run: (urdf, base, tip) => JSON.parse(execFileSync(binary, [urdf, base, tip, String(seconds)], { encoding: 'utf8' })) as KdlTiming };
}

/** One IK case: the target (12 doubles, see se3.ts) and a seed for the chain's joints. */
export interface IkCase { target: Float64Array; seed: Float64Array }

/** KDL's NR_JL (with restarts in the budget) and LMA on the given cases. */
export function buildKdlIkBaseline(): {
  run(
    urdf: string, base: string, tip: string, limits: { lower: number[]; upper: number[]; continuous: boolean[] },
    cases: IkCase[], budgetMs: number, tolerance: number,
  ): KdlIkResult;
} | Unavailable {
  const binary = build('kdl-ik-bench');
  if (typeof binary !== 'string') return binary;
  return {
    run: (urdf, base, tip, limits, cases, budgetMs, tolerance) => {
      const dof = limits.lower.length;
      const values = [cases.length, dof, ...limits.lower, ...limits.upper, ...limits.continuous.map((c) => (c ? 1 : 0))];
      for (const c of cases) values.push(...c.target, ...c.seed);
      const file = join(mkdtempSync(join(tmpdir(), 'kdl-ik-cases-')), 'cases.bin');
      writeFileSync(file, Buffer.from(Float64Array.from(values).buffer));
      return JSON.parse(execFileSync(binary, [urdf, base, tip, file, String(budgetMs), String(tolerance)], { encoding: 'utf8', maxBuffer: 1 << 24 })) as KdlIkResult;
    },
  };
}
