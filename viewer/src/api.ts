/**
 * The service's public API, as the page calls it: same-origin fetches of the routes in
 * openapi/openapi.json, typed from the generated client types (examples/typescript/api.d.ts), so
 * that a change of the contract fails the viewer's type check. Every number the page shows or
 * draws comes from one of these calls.
 */
import type { paths } from '../../examples/typescript/api.js';

type JsonBody<Op> = Op extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
type JsonOk<Op> = Op extends { responses: { 200: { content: { 'application/json': infer R } } } } ? R : never;

export type RobotList = JsonOk<paths['/robots']['get']>;
export type RobotSummary = JsonOk<paths['/robots/{id}']['get']>;
export type FkRequest = JsonBody<paths['/robots/{id}/fk']['post']>;
export type FkResponse = JsonOk<paths['/robots/{id}/fk']['post']>;
export type Pose = FkResponse['poses'][string];
export type JacobianRequest = JsonBody<paths['/robots/{id}/jacobian']['post']>;
export type JacobianResponse = JsonOk<paths['/robots/{id}/jacobian']['post']>;
export type ManipulabilityRequest = JsonBody<paths['/robots/{id}/manipulability']['post']>;
export type ManipulabilityResponse = JsonOk<paths['/robots/{id}/manipulability']['post']>;
export type IkStepRequest = JsonBody<paths['/robots/{id}/ik/step']['post']>;
export type IkStepResponse = JsonOk<paths['/robots/{id}/ik/step']['post']>;
export type IkSolveRequest = JsonBody<paths['/robots/{id}/ik/solve']['post']>;
export type IkSolveResponse = JsonOk<paths['/robots/{id}/ik/solve']['post']>;

/**
 * POST /robots/{id}/uncertainty (API.md, "Uncertainty and sensitivity"): written out here because
 * the route is being built beside the viewer; once it is in openapi.json these become JsonBody /
 * JsonOk of its path like the others.
 */
export interface UncertaintyRequest {
  q: number[];
  jointStdDev: number[];
  tip?: string;
  confidence?: number;
}
export interface Ellipsoid {
  /** Rows are unit vectors, largest radius first. */
  axes: number[][];
  radii: number[];
  confidence: number;
}
export interface UncertaintyResponse {
  method: string;
  referenceFrame: string;
  position: { stdDev: number[]; ellipsoid: Ellipsoid };
  orientation: { stdDev: number[]; ellipsoid: Ellipsoid };
}

/** A failed call: the HTTP status and the problem+json the service answered with. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!response.ok) {
    let problem: { type?: string; detail?: string; title?: string } = {};
    try {
      problem = await response.json() as typeof problem;
    } catch {
      // not a problem document: the status says enough
    }
    throw new ApiError(response.status, problem.type ?? '', `${method} ${path}: ${response.status} ${problem.detail ?? problem.title ?? response.statusText}`);
  }
  return await response.json() as T;
}

const robotPath = (id: string): string => `/robots/${encodeURIComponent(id)}`;

export const api = {
  robots: () => call<RobotList>('GET', '/robots'),
  robot: (id: string) => call<RobotSummary>('GET', robotPath(id)),
  async urdf(id: string): Promise<string> {
    const response = await fetch(`${robotPath(id)}/urdf`);
    if (!response.ok) throw new ApiError(response.status, '', `GET ${robotPath(id)}/urdf: ${response.status}`);
    return response.text();
  },
  fk: (id: string, body: FkRequest) => call<FkResponse>('POST', `${robotPath(id)}/fk`, body),
  jacobian: (id: string, body: JacobianRequest) => call<JacobianResponse>('POST', `${robotPath(id)}/jacobian`, body),
  manipulability: (id: string, body: ManipulabilityRequest) => call<ManipulabilityResponse>('POST', `${robotPath(id)}/manipulability`, body),
  uncertainty: (id: string, body: UncertaintyRequest) => call<UncertaintyResponse>('POST', `${robotPath(id)}/uncertainty`, body),
  ikStep: (id: string, body: IkStepRequest) => call<IkStepResponse>('POST', `${robotPath(id)}/ik/step`, body),
  ikSolve: (id: string, body: IkSolveRequest) => call<IkSolveResponse>('POST', `${robotPath(id)}/ik/solve`, body),
};
