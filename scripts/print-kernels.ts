/**
 * `npm run kernels -- <robot> [base] [tip]`: prints the generated JavaScript of a robot's kernels
 * for one base and tip: the pose, the Jacobian and the two damped least-squares step kernels, as
 * the service compiles them (see src/core/codegen/). <robot> is a builtin robot id (robots/<id>.urdf)
 * or the path of a URDF file; base defaults to the root link and tip to the robot's single tip.
 * `--all-links` prints the all-link FK kernel instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printKernel } from '../src/core/codegen/compile.js';
import { dlsKernelSource, MAX_COMPILED_JOINTS } from '../src/core/codegen/dls-kernels.js';
import { jacobianKernelSource, linkPosesKernelSource, poseKernelSource } from '../src/core/codegen/kinematics-kernels.js';
import { resolveTipName } from '../src/core/jacobian.js';
import { createKinematicPath } from '../src/core/kinematic-path.js';
import { linkIndexOf } from '../src/core/model.js';
import { loadUrdf } from '../src/urdf/load-urdf.js';
import { ROOT } from './repo-root.js';

function main(argv: string[]): number {
  const args = argv.filter((a) => !a.startsWith('--'));
  const [robotArg, baseArg, tipArg] = args;
  if (!robotArg) {
    process.stderr.write('usage: npm run kernels -- <robot id or URDF file> [base link] [tip link] [--all-links]\n');
    return 2;
  }
  const file = existsSync(robotArg) ? robotArg : join(ROOT, 'robots', `${robotArg}.urdf`);
  const model = loadUrdf(readFileSync(file, 'utf8'));
  if (argv.includes('--all-links')) {
    process.stdout.write(`// ${model.name}: poses of all ${model.linkNames.length} links\n${printKernel(linkPosesKernelSource(model))}\n`);
    return 0;
  }
  const baseName = baseArg ?? model.linkNames[0]!;
  const tipName = resolveTipName(model, tipArg);
  const path = createKinematicPath(model, linkIndexOf(model, baseName, 'base'), linkIndexOf(model, tipName, 'tip'));
  const out = [
    `// ${model.name}: ${baseName} -> ${tipName}, moving joints q${Array.from(path.movingJoints).join(', q')} of ${model.dof}`,
    printKernel(poseKernelSource(model, path)),
    printKernel(jacobianKernelSource(model, path)),
  ];
  if (path.movingJoints.length <= MAX_COMPILED_JOINTS) {
    out.push(printKernel(dlsKernelSource(model.dof, path.movingJoints, 'primal')), printKernel(dlsKernelSource(model.dof, path.movingJoints, 'dual')));
  } else {
    out.push(`// no step kernels: more than ${MAX_COMPILED_JOINTS} moving joints, IK uses the loops of src/core/ik/damped-least-squares.ts`);
  }
  process.stdout.write(`${out.join('\n\n')}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
}
