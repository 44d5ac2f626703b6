/**
 * Writes the example measurements of examples/calibration/ur5e_tracker.csv: a UR5e whose joint
 * origins are off by up to 1 mm and 1 mrad (a "real" robot, deterministic), measured by a laser
 * tracker with 0.05 mm of noise per axis at 40 joint readings. Columns: the six joint readings
 * (rad, in q order), then x, y, z of the tool0 origin in the base frame (m).
 *
 *   npx tsx examples/calibration/make_csv.ts > examples/calibration/ur5e_tracker.csv
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeededRandom, randomConfiguration } from '../../src/core/ik/random.js';
import { computeEndEffectorPose, resolveEndEffector } from '../../src/core/jacobian.js';
import { loadRobot, loadUrdf } from '../../src/urdf/load-urdf.js';
import { editJoints } from '../../src/urdf/urdf-edit.js';

const urdf = readFileSync(join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'robots', 'ur5e.urdf'), 'utf8');
const rng = new SeededRandom(2024);
const u = (): number => 2 * rng.next() - 1;
const edits = new Map(loadUrdf(urdf).description.joints.map((j) => [j.name, { xyz: j.xyz.map((x) => x + 1e-3 * u()), rpy: j.rpy.map((x) => x + 1e-3 * u()) }]));
const real = loadRobot(editJoints(urdf, edits));
const ee = resolveEndEffector(real, { tip: 'tool0' });
const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
const NOISE = 5e-5;
const lines = [[...real.model.jointNames, 'x', 'y', 'z'].join(',')];
for (let i = 0; i < 40; i++) {
  const q = randomConfiguration(real.model, rng, new Float64Array(real.model.dof));
  const X = computeEndEffectorPose(real, q, ee, new Float64Array(12));
  const p = [X[9]!, X[10]!, X[11]!].map((v) => v + NOISE * gaussian());
  lines.push([...Array.from(q, (v) => v.toFixed(6)), ...p.map((v) => v.toFixed(7))].join(','));
}
process.stdout.write(`${lines.join('\n')}\n`);
