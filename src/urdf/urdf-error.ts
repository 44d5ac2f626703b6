/**
 * Errors of the URDF loader: the document is not safe, well-formed XML, is larger than the caps
 * allow, or does not describe a valid kinematic tree. Each problem names the XML element it is
 * about, as a path such as `/robot/joint[@name="elbow"]/axis`.
 */
import type { DescriptionElement, DescriptionProblem } from '../core/errors.js';

/** What is wrong with a URDF document, for programs to switch on. */
export type UrdfErrorCode =
  /** Not well-formed XML, or XML features that are not accepted (a DOCTYPE). */
  | 'URDF_SYNTAX'
  /** Well-formed XML that is not a URDF this service can use, or not a valid kinematic tree. */
  | 'URDF_INVALID'
  /** Larger than the caps allow (bytes, elements, depth, links or joints). */
  | 'URDF_TOO_LARGE';

/** One problem of a document: the element it is about and what is wrong. */
export interface UrdfProblem {
  /** The element, as a path: `/robot`, `/robot/link[@name="base"]`, `/robot/joint[@name="j1"]/limit`. */
  readonly path: string;
  readonly message: string;
}

/** The error type of the URDF loader. */
export class UrdfError extends Error {
  override readonly name = 'UrdfError';
  /**
   * @param code what is wrong, for programs
   * @param message what is wrong and what to change, for people
   * @param problems every problem found, each with its element (at least one)
   */
  constructor(
    readonly code: UrdfErrorCode,
    message: string,
    readonly problems: readonly UrdfProblem[] = [{ path: '/robot', message }],
  ) {
    super(message);
  }
}

/** A name inside an XPath-like predicate: quoted, with quotes and backslashes escaped. */
function quoted(name: string): string {
  return JSON.stringify(name);
}

/** The path of the URDF element that holds a description element. */
export function urdfPathOf(element: DescriptionElement): string {
  switch (element.kind) {
    case 'robot': return '/robot';
    case 'link': return `/robot/link[@name=${quoted(element.name)}]`;
    case 'joint': {
      const joint = `/robot/joint[@name=${quoted(element.name)}]`;
      if (element.part === undefined || element.part === 'name' || element.part === 'type') return joint;
      return `${joint}/${element.part}`;
    }
  }
}

/** Description problems as URDF problems. */
export function urdfProblemsOf(problems: readonly DescriptionProblem[]): UrdfProblem[] {
  return problems.map((p) => ({ path: urdfPathOf(p.element), message: p.message }));
}
