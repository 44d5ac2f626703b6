/**
 * Robot ids: also file names in the data folder, so only a safe alphabet is allowed (no path
 * separators, no leading dot, no "..").
 */
export const ROBOT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
/** ROBOT_ID_PATTERN in words, for messages. */
export const ROBOT_ID_RULE = '1 to 64 letters, digits, "_" or "-", starting with a letter or digit';
const ROBOT_ID = new RegExp(ROBOT_ID_PATTERN);

export function isValidRobotId(id: string): boolean {
  return ROBOT_ID.test(id);
}

/** Why `id` is not a valid robot id, for a message; undefined when it is valid. */
export function robotIdProblem(id: string): string | undefined {
  return isValidRobotId(id)
    ? undefined
    : `robot id ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)} is not valid: use ${ROBOT_ID_RULE}`;
}
