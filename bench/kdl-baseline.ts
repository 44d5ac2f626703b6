/**
 * The Orocos KDL baseline: builds bench/kdl/kdl-bench.cpp against Debian's liborocos-kdl-dev and
 * libkdl-parser-dev (when their headers are installed) and times the same chains in the same run.
 * Returns undefined, with the reason, where KDL is not available.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './paths.js';

const SOURCE = join(ROOT, 'bench', 'kdl', 'kdl-bench.cpp');

export interface KdlTiming { dof: number; fkNs: number; jacobianNs: number }

export type KdlBaseline = { run(urdf: string, base: string, tip: string): KdlTiming } | { unavailable: string };

export function buildKdlBaseline(seconds: number): KdlBaseline {
  if (!existsSync('/usr/include/kdl/chainjnttojacsolver.hpp') || !existsSync('/usr/include/kdl_parser/kdl_parser.hpp')) {
    return { unavailable: 'Orocos KDL headers not found (apt-get install liborocos-kdl-dev libkdl-parser-dev g++)' };
  }
  const binary = join(mkdtempSync(join(tmpdir(), 'kdl-bench-')), 'kdl-bench');
  try {
    execFileSync('g++', ['-O2', '-DNDEBUG', '-std=c++17', '-o', binary, SOURCE, '-I/usr/include/eigen3',
      '-lkdl_parser', '-lorocos-kdl', '-lurdfdom_model'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    return { unavailable: `building the KDL benchmark failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}` };
  }
  return {
    run: (urdf, base, tip) => JSON.parse(execFileSync(binary, [urdf, base, tip, String(seconds)], { encoding: 'utf8' })) as KdlTiming,
  };
}
