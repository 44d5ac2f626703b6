/**
 * Revolute chains of any length, for robots at the upload caps (tests and benchmarks): n joints
 * j1..jn between links l0..ln, axes cycling through x, y and z (or all along `axis`), each joint
 * origin at `xyz` and `rpy` from the previous link.
 */
export interface ChainOptions {
  name?: string;
  axis?: string;
  xyz?: string;
  rpy?: string;
}

export function chainUrdf(n: number, options: ChainOptions = {}): string {
  const { xyz = '0 0.02 0.1', rpy = '0 0.3 0' } = options;
  const joints = Array.from({ length: n }, (_, i) => `<link name="l${i + 1}"/>`
    + `<joint name="j${i + 1}" type="revolute"><parent link="l${i}"/><child link="l${i + 1}"/>`
    + `<origin xyz="${xyz}" rpy="${rpy}"/><axis xyz="${options.axis ?? ['1 0 0', '0 1 0', '0 0 1'][i % 3]}"/>`
    + '<limit lower="-3" upper="3" effort="1" velocity="1"/></joint>');
  return `<robot name="${options.name ?? `chain${n}`}"><link name="l0"/>${joints.join('')}</robot>`;
}
