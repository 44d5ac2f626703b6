/**
 * Errors as RFC 9457 problem details: one place maps every error the service can meet (core,
 * registry, Fastify's own, unexpected ones) to a status and a `detail` that tells the caller what
 * to change. A 5xx never carries internals: it is logged with the request id instead.
 */
import type { FastifyError } from 'fastify';
import { KinematicsError, type KinematicsErrorCode } from '../core/errors.js';
import { RegistryError, type RegistryErrorCode } from '../robots/registry.js';
import { ROBOT_ID_PATTERN, ROBOT_ID_RULE } from '../robots/robot-id.js';
import { UrdfError, type UrdfErrorCode } from '../urdf/urdf-error.js';
import { BatchRunnerError, type BatchRunnerErrorCode } from '../workers/batch-runner.js';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}

/** Problem type URIs: stable identifiers (`urn:`, so not dereferenceable) a client can switch on. */
export function problemType(slug: string): string {
  return `urn:kinematics-service:problem:${slug}`;
}

/** An error the HTTP layer raises itself, with its status and problem type. */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

/** A type and a title per kind of URDF refusal, so that a client (and a person) can tell them apart. */
const URDF_STATUS: Record<UrdfErrorCode, [number, string, string]> = {
  URDF_MALFORMED_XML: [400, 'urdf-malformed-xml', 'URDF is not well-formed XML'],
  URDF_DOCTYPE: [400, 'urdf-doctype', 'URDF has a document type declaration, which is not accepted'],
  URDF_XML_LIMIT: [400, 'urdf-xml-limit', 'URDF exceeds the limits of the XML reader'],
  URDF_TOO_LARGE: [413, 'urdf-too-large', 'URDF too large'],
  URDF_INVALID_ELEMENT: [422, 'urdf-invalid-element', 'URDF elements are not valid'],
  URDF_INVALID_TREE: [422, 'urdf-invalid-tree', 'URDF is not a valid kinematic tree'],
};

/** The most problems an answer lists in `errors` (the detail counts them all). */
export const MAX_LISTED_PROBLEMS = 100;

const KINEMATICS_STATUS: Record<KinematicsErrorCode, [number, string, string]> = {
  // a description built by a program and sent as one (not through the URDF loader)
  INVALID_DESCRIPTION: [422, 'invalid-description', 'Robot description is not a valid kinematic tree'],
  UNKNOWN_LINK: [400, 'unknown-link', 'Unknown link'],
  UNKNOWN_JOINT: [400, 'unknown-joint', 'Unknown joint'],
  DIMENSION_MISMATCH: [400, 'wrong-length', 'Wrong number of values'],
  INVALID_VALUE: [400, 'invalid-value', 'Invalid value'],
  INVALID_ARGUMENT: [400, 'invalid-argument', 'Invalid argument'],
};

const BATCH_RUNNER_PROBLEM: Record<BatchRunnerErrorCode, [string, string, string]> = {
  BUSY: ['busy', 'Busy', 'the batch workers are saturated; retry in 1 s or send the batch to another instance'],
  STOPPED: ['shutting-down', 'Shutting down', 'the service is shutting down and stopped this batch before it finished; send it again (to another instance)'],
};

const REGISTRY_STATUS: Record<RegistryErrorCode, [number, string, string]> = {
  NOT_FOUND: [404, 'robot-not-found', 'Robot not found'],
  CONFLICT: [409, 'conflict', 'Conflict'],
  INVALID_ID: [400, 'invalid-robot-id', 'Invalid robot id'],
  STORAGE: [503, 'storage-unavailable', 'Storage unavailable'],
  UNAVAILABLE: [503, 'registry-unavailable', 'Robot registry unavailable'],
};

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
  parentSchema?: { description?: string };
}

/** "/q/3" in the body -> "q[3]"; the root -> "body". */
function readablePath(context: string, instancePath = ''): string {
  const parts = instancePath.split('/').filter((p) => p.length > 0).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = context === 'body' ? '' : context;
  for (const part of parts) path += /^\d+$/.test(part) ? `[${part}]` : `${path ? '.' : ''}${part}`;
  return path || context;
}

/** One message per validation issue, phrased as what to change. */
function describeIssue(context: string, issue: ValidationIssue): { path: string; message: string } {
  let path = readablePath(context, issue.instancePath);
  let message = issue.message ?? 'is invalid';
  const params = issue.params ?? {};
  if (issue.keyword === 'additionalProperties') {
    const extra = String(params.additionalProperty);
    path = readablePath(context, `${issue.instancePath ?? ''}/${extra}`);
    message = 'is not a known field; remove it (field names are case-sensitive)';
  } else if (issue.keyword === 'required') {
    path = readablePath(context, `${issue.instancePath ?? ''}/${String(params.missingProperty)}`);
    message = 'is required';
  } else if (issue.keyword === 'anyOf' || issue.keyword === 'oneOf') {
    message = issue.parentSchema?.description ? `must be ${issue.parentSchema.description}` : 'does not match any allowed form';
  } else if (issue.keyword === 'type' && params.type === 'number') {
    message = 'must be a finite number';
  } else if (issue.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    message = `must be one of ${params.allowedValues.join(', ')}`;
  } else if (issue.keyword === 'maxItems') {
    message = `must have at most ${String(params.limit)} items`;
  } else if (issue.keyword === 'minItems') {
    message = `must have at least ${String(params.limit)} items`;
  } else if (issue.keyword === 'maxProperties') {
    message = `must have at most ${String(params.limit)} entries`;
  } else if ((issue.keyword === 'maximum' || issue.keyword === 'minimum') && typeof params.limit === 'number') {
    message = `must be ${String(params.comparison)} ${readableNumber(params.limit)}`;
  } else if (issue.keyword === 'pattern' && params.pattern === ROBOT_ID_PATTERN) {
    message = `must be a robot id: ${ROBOT_ID_RULE}`;
  }
  return { path, message };
}

/** 1000000000 -> "1e9", 1e-9 -> "1e-9", 0.5 -> "0.5". */
function readableNumber(x: number): string {
  return x !== 0 && (Math.abs(x) >= 1e6 || Math.abs(x) < 1e-3) ? x.toExponential().replace('e+', 'e') : String(x);
}

const depth = (issue: ValidationIssue): number => (issue.instancePath ?? '').split('/').length;

/**
 * Keeps the most useful issues. A value that matches no branch of a union (q as array or
 * object) yields one error per branch plus the union's own. When a branch got inside the value
 * (q[3] is a string) its deepest error says exactly what is wrong; when the value has a branch's
 * type but breaks one of its constraints (q has 100000 items) that error does; otherwise (q is a
 * string) the union's description says what is accepted.
 */
function selectIssues(issues: ValidationIssue[]): ValidationIssue[] {
  const unions = issues.filter((i) => i.keyword === 'anyOf' || i.keyword === 'oneOf');
  const under = (u: ValidationIssue, i: ValidationIssue): boolean => {
    const path = i.instancePath ?? '';
    const unionPath = u.instancePath ?? '';
    return i !== u && (path === unionPath || path.startsWith(`${unionPath}/`));
  };
  const kept = issues.filter((i) => !unions.some((u) => under(u, i)) || unions.includes(i));
  return kept.flatMap((issue) => {
    if (!unions.includes(issue)) return [issue];
    const inside = issues.filter((i) => under(issue, i) && !unions.includes(i) && (depth(i) > depth(issue) || i.keyword !== 'type'));
    if (inside.length === 0) return [issue];
    const deepest = Math.max(...inside.map(depth));
    return inside.filter((i) => depth(i) === deepest);
  });
}

function problem(status: number, slug: string, title: string, detail: string): ProblemDetails {
  return { type: problemType(slug), title, status, detail };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a 413 of this route advises, with the setting that governs its body limit. */
    bodyLimitHint?: string;
  }
}

/** The 413 advice of routes that take many configurations or targets. */
export const BATCH_BODY_LIMIT_HINT = 'send fewer configurations or targets per request, or raise BATCH_BODY_LIMIT';
const DEFAULT_BODY_LIMIT_HINT = 'request bodies of this route are limited by BODY_LIMIT';

/** What the error handler knows of the route that failed. */
export interface RouteContext {
  bodyLimit?: number | undefined;
  bodyLimitHint?: string | undefined;
}

/** Maps any thrown value to problem details; `internal` marks the ones to log as server errors. */
export function toProblem(error: unknown, route: RouteContext = {}): { problem: ProblemDetails; internal: boolean; headers?: Record<string, string> } {
  if (error instanceof HttpProblem) {
    return { problem: problem(error.status, error.slug, error.title, error.detail), internal: false, headers: error.headers };
  }
  if (error instanceof UrdfError) {
    const [status, slug, title] = URDF_STATUS[error.code];
    const listed = error.problems.length > MAX_LISTED_PROBLEMS
      ? `; errors lists the first ${MAX_LISTED_PROBLEMS} of ${error.problems.length}` : '';
    const detail = error.code === 'URDF_TOO_LARGE'
      ? `${error.message}: make the URDF smaller, or have the operator raise URDF_MAX_BYTES or URDF_MAX_LINKS`
      : `${error.message}${listed}`;
    const errors = error.problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => ({ path: p.path, message: p.message }));
    return { problem: { ...problem(status, slug, title, detail), errors }, internal: false };
  }
  if (error instanceof KinematicsError) {
    const [status, slug, title] = KINEMATICS_STATUS[error.code];
    return { problem: problem(status, slug, title, error.message), internal: false };
  }
  if (error instanceof BatchRunnerError) {
    const [slug, title, detail] = BATCH_RUNNER_PROBLEM[error.code];
    return { problem: problem(503, slug, title, detail), internal: false, headers: { 'retry-after': '1' } };
  }
  if (error instanceof RegistryError) {
    const [status, slug, title] = REGISTRY_STATUS[error.code];
    const headers = error.retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(error.retryAfterSeconds) } };
    return { problem: problem(status, slug, title, error.message), internal: false, ...headers };
  }
  const fastifyError = error as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (fastifyError.validation) {
    const context = fastifyError.validationContext ?? 'body';
    const errors = selectIssues(fastifyError.validation).map((issue) => describeIssue(context, issue));
    const detail = errors.map((e) => `${e.path} ${e.message}`).join('; ');
    return { problem: { ...problem(400, 'invalid-request', 'Invalid request', detail), errors }, internal: false };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const limit = route.bodyLimit !== undefined ? `${route.bodyLimit} bytes, the most this route accepts` : 'this route accepts';
      return { problem: problem(413, 'body-too-large', 'Request body too large', `the request body is larger than ${limit}; ${route.bodyLimitHint ?? DEFAULT_BODY_LIMIT_HINT}`), internal: false };
    }
    case 'FST_ERR_BAD_URL':
      return { problem: problem(400, 'bad-url', 'Malformed URL', 'the URL path is not valid percent-encoding (RFC 3986): encode each byte of a non-ASCII character as %XX'), internal: false };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { problem: problem(400, 'invalid-robot-id', 'Invalid robot id', `the robot id in the path is far too long: use ${ROBOT_ID_RULE}`), internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { problem: problem(415, 'unsupported-media-type', 'Unsupported media type', `${fastifyError.message}; send application/json (or application/xml for URDF uploads)`), internal: false };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { problem: problem(400, 'malformed-json', 'Malformed JSON', 'the request body is empty; send a JSON object'), internal: false };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { problem: problem(400, 'invalid-content-length', 'Invalid Content-Length', 'the Content-Length header does not match the body'), internal: false };
    default:
      break;
  }
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) {
    return { problem: problem(status, 'bad-request', 'Bad request', fastifyError.message), internal: false };
  }
  return {
    problem: problem(500, 'internal-error', 'Internal server error', 'the server failed to answer this request; it has been logged with the request id (x-request-id)'),
    internal: true,
  };
}
