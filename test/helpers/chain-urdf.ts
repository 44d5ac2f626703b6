/** Revolute chains of any length (scripts/chain-urdf.ts, shared with the benchmarks). */
export { chainUrdf } from '../../scripts/chain-urdf.js';
