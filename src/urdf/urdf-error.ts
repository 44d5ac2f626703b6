/**
 * Errors of the URDF loader: the document is not safe, well-formed XML, is larger than the caps
 * allow, or does not describe a valid kinematic tree. Each problem names the XML element it is
 * about, as a path such as `/robot/joint[@name="elbow"]/axis`.
 */
import type { DescriptionElement, DescriptionProblem } from '../core/errors.js';

/** What is wrong with a URDF document, for programs to switch on. */
export type UrdfErrorCode =
  /** Not well-formed XML (or no root element). */
  | 'URDF_MALFORMED_XML'
  /** A document type declaration: DTDs and entity definitions are not accepted. */
  | 'URDF_DOCTYPE'
  /** Beyond the XML reader's fixed limits: nesting depth, element count, attribute count or length. */
  | 'URDF_XML_LIMIT'
  /** Larger than the configured caps (URDF_MAX_BYTES, URDF_MAX_LINKS). */
  | 'URDF_TOO_LARGE'
  /** Well-formed XML whose elements are not a URDF this service can use (attributes, numbers, joint types). */
  | 'URDF_INVALID_ELEMENT'
  /** Valid elements that do not form a kinematic tree (names, references, roots, cycles, mimics, limits). */
  | 'URDF_INVALID_TREE';

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

/** Problems listed in an error's message (all of them are in `problems`). */
export const PROBLEMS_IN_MESSAGE = 10;

/** The message of several problems: the first PROBLEMS_IN_MESSAGE, and how many more. */
export function summarizeProblems(problems: readonly UrdfProblem[]): string {
  const shown = problems.slice(0, PROBLEMS_IN_MESSAGE).map((p) => p.message).join('; ');
  return problems.length > PROBLEMS_IN_MESSAGE ? `${shown}; and ${problems.length - PROBLEMS_IN_MESSAGE} more problems` : shown;
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
