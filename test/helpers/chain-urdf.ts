/**
 * Revolute chains of any length, for robots at the upload caps: n joints j1..jn between links
 * l0..ln, each 0.1 m further along a tilted z, axes cycling through x, y and z (or all along `axis`).
 */
export function chainUrdf(n: number, options: { name?: string; axis?: string } = {}): string {
  const joints = Array.from({ length: n }, (_, i) => `<link name="l${i + 1}"/>`
    + `<joint name="j${i + 1}" type="revolute"><parent link="l${i}"/><child link="l${i + 1}"/>`
    + `<origin xyz="0 0.02 0.1" rpy="0 0.3 0"/><axis xyz="${options.axis ?? ['1 0 0', '0 1 0', '0 0 1'][i % 3]}"/>`
    + '<limit lower="-3" upper="3" effort="1" velocity="1"/></joint>');
  return `<robot name="${options.name ?? `chain${n}`}"><link name="l0"/>${joints.join('')}</robot>`;
}
