/** The commands of `npm run bench:stream`, shared by its session clients and its HTTP baseline. */

/** The UR5e configuration every command starts from. */
export const UR5E_Q = [0, -1.2, 1.5, -1.9, -1.57, 0];

/** The command of tick k: a small circle of the tool, so that every answer differs. */
export function twistAt(k: number): { linear: number[]; angular: number[] } {
  return { linear: [0.05 * Math.cos(k / 50), 0.05 * Math.sin(k / 50), 0], angular: [0, 0, 0] };
}
