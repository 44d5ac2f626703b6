/**
 * The Kubernetes manifests of deploy/kubernetes: every document valid against the Kubernetes API
 * schemas (kubernetes-models), no unknown fields (a TypeScript excess-property check against the
 * same models' types, since the schema validation lets unknown fields through), and every promise
 * of deploy/kubernetes/README.md held: replicas, probes, security, drain timing, uploads disabled,
 * a ConfigMap identical to robots/, and names and selectors that fit together. Finally the service
 * is run as the Deployment configures it, from a ConfigMap-style robots folder, and stopped with
 * SIGTERM as the kubelet does.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { Deployment, StatefulSet, type IDeployment, type IStatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, type IConfigMap, type IContainer, type IService } from 'kubernetes-models/v1';
import { CONFIGMAP_FILE, CONFIGMAP_MAX_BYTES, generateRobotsConfigMap } from '../../scripts/generate-k8s-configmap.js';
import { startServer, type ServerProcess } from '../../scripts/server-process.js';
import { loadConfig } from '../../src/config.js';
import { isLoopbackHost } from '../../src/http/access-control.js';
import { API_VERSION } from '../../src/version.js';
import { REPO_ROOT, ROBOTS_DIR } from '../helpers/paths.js';
import { untilServing } from './until-serving.js';

const K8S_DIR = join(REPO_ROOT, 'deploy', 'kubernetes');

/** A model class of kubernetes-models: construct, then validate() throws on a schema error. */
type ModelClass = new (data: never) => { validate(): void };

/** The kinds these manifests use: the model to validate with, and its type for the field check. */
const MODELS: Record<string, { model: ModelClass; type: string; module: string }> = {
  'v1/ConfigMap': { model: ConfigMap, type: 'IConfigMap', module: 'kubernetes-models/v1/ConfigMap' },
  'v1/Service': { model: Service, type: 'IService', module: 'kubernetes-models/v1/Service' },
  'apps/v1/Deployment': { model: Deployment, type: 'IDeployment', module: 'kubernetes-models/apps/v1/Deployment' },
  'apps/v1/StatefulSet': { model: StatefulSet, type: 'IStatefulSet', module: 'kubernetes-models/apps/v1/StatefulSet' },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    model: HorizontalPodAutoscaler, type: 'IHorizontalPodAutoscaler', module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
  },
  'policy/v1/PodDisruptionBudget': {
    model: PodDisruptionBudget, type: 'IPodDisruptionBudget', module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
  },
};

interface Manifest {
  /** file name and document number, for messages */
  where: string;
  object: { apiVersion?: unknown; kind?: unknown; metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } };
}

function modelFor(object: Manifest['object']): (typeof MODELS)[string] {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const entry = MODELS[key];
  if (!entry) throw new Error(`no model for ${key}: add it to MODELS`);
  return entry;
}

/** Throws the schema errors of one manifest, naming it. */
function validateManifest(manifest: Manifest): void {
  const { model } = modelFor(manifest.object);
  try {
    new model(manifest.object as never).validate();
  } catch (error) {
    throw new Error(`${manifest.where}: ${(error as Error).message}`, { cause: error });
  }
}

/** Every document of the manifest files (all of deploy/kubernetes/*.yaml but kustomization.yaml). */
function loadManifests(): Manifest[] {
  const manifests: Manifest[] = [];
  for (const file of manifestFiles()) {
    const documents = parseAllDocuments(readFileSync(join(K8S_DIR, file), 'utf8'));
    for (const [i, document] of (Array.isArray(documents) ? documents : [documents]).entries()) {
      const problems = [...document.errors, ...document.warnings].map((e) => e.message);
      if (problems.length > 0) throw new Error(`${file} document ${i + 1}: ${problems.join('; ')}`);
      const object: unknown = document.toJS();
      if (object === null) continue;
      manifests.push({ where: `${file} document ${i + 1}`, object: object as Manifest['object'] });
    }
  }
  return manifests;
}

function manifestFiles(): string[] {
  return readdirSync(K8S_DIR).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort();
}

/**
 * TypeScript's excess-property errors for each object assigned to its kubernetes-models interface
 * (one list per object, empty when it type-checks): the schema validation accepts unknown fields,
 * so a misspelt `readinessProbe` would otherwise pass unnoticed and simply be ignored.
 */
function typeErrors(objects: { type: string; module: string; object: unknown }[]): string[][] {
  const file = join(REPO_ROOT, 'test', 'ops', '__manifest_types__.ts');
  const imports = [...new Map(objects.map((o) => [o.type, o.module])).entries()]
    .map(([type, module]) => `import type { ${type} } from '${module}';`);
  const source = [...imports, ...objects.map((o, i) => `export const m${i}: ${o.type} = ${JSON.stringify(o.object)};`)].join('\n');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, noEmit: true, skipLibCheck: true, types: [],
  };
  const host = ts.createCompilerHost(options);
  const readSource = host.getSourceFile.bind(host);
  const exists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) => (name === file ? ts.createSourceFile(name, source, language) : readSource(name, language, ...rest));
  host.fileExists = (name) => name === file || exists(name);
  const program = ts.createProgram([file], options, host);
  const errors: string[][] = objects.map(() => []);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line - imports.length : -1;
    const list = errors[line];
    if (!list) throw new Error(`type check of the manifests: ${message}`);
    list.push(message);
  }
  return errors;
}

function only<T>(manifests: Manifest[], kind: string): T {
  const found = manifests.filter((m) => m.object.kind === kind);
  expect(found.map((m) => m.where), `exactly one ${kind}`).toHaveLength(1);
  return found[0]!.object as T;
}

/** Every selector label is a pod template label with the same value. */
function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels?.[key] === value);
}

/** CPU cores of a Kubernetes quantity ("2", "1500m", 2). */
function cpuCores(quantity: string | number | undefined): number {
  if (typeof quantity === 'number') return quantity;
  if (quantity === undefined) return Number.NaN;
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

const manifests = loadManifests();
const deployment = only<IDeployment>(manifests, 'Deployment');
const podSpec = deployment.spec!.template.spec!;
const container: IContainer = podSpec.containers.find((c) => c.name === 'kinematics-service') ?? podSpec.containers[0]!;
/** The container's environment, as the service reads it. */
const env: Record<string, string> = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? '']));

describe('the Kubernetes manifests', () => {
  it('are every YAML file of deploy/kubernetes, listed by kustomization.yaml', () => {
    const kustomization = parse(readFileSync(join(K8S_DIR, 'kustomization.yaml'), 'utf8')) as { resources?: string[]; namespace?: string };
    expect([...(kustomization.resources ?? [])].sort()).toEqual(manifestFiles());
    expect(kustomization.namespace, 'the manifests are namespace-agnostic').toBeUndefined();
    expect(manifests.map((m) => m.object.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service']);
  });

  it.each(manifests.map((m) => [m.where, m] as const))('%s is valid against the Kubernetes schema', (_where, manifest) => {
    expect(() => validateManifest(manifest)).not.toThrow();
    expect(manifest.object.metadata?.namespace, 'no namespace: kubectl apply -n chooses it').toBeUndefined();
    expect(manifest.object.metadata?.labels?.['app.kubernetes.io/name']).toBe('kinematics-service');
  });

  it('schema validation rejects broken manifests', () => {
    const broken = (mutate: (d: any) => void): Manifest => {
      const copy = structuredClone(deployment) as any;
      mutate(copy);
      return { where: 'broken deployment', object: copy };
    };
    expect(() => validateManifest(broken((d) => { d.spec.replicas = 'two'; }))).toThrow(/replicas must be integer/);
    expect(() => validateManifest(broken((d) => { delete d.spec.template.spec.containers[0].name; }))).toThrow(/containers\/0 must have required property '?name/);
    expect(() => validateManifest(broken((d) => { d.spec.template.spec.containers[0].env[0].value = 8080; }))).toThrow(/value must be string/);
    expect(() => validateManifest(broken((d) => { delete d.spec.selector; }))).toThrow(/must have required property '?selector/);
    expect(() => validateManifest({ where: 'an unknown kind', object: { apiVersion: 'v1', kind: 'Secret' } })).toThrow(/no model for v1\/Secret/);
  });

  it('have no unknown fields (a misspelt field would be ignored by Kubernetes)', () => {
    const typed = manifests.map((m) => ({ ...modelFor(m.object), object: m.object }));
    const misspelt = structuredClone(deployment) as any;
    misspelt.spec.template.spec.containers[0].readinessprobe = misspelt.spec.template.spec.containers[0].readinessProbe;
    const misplaced = structuredClone(deployment) as any;
    misplaced.spec.terminationGracePeriodSeconds = 20; // belongs in spec.template.spec
    const errors = typeErrors([...typed, { ...typed.find((t) => t.type === 'IDeployment')!, object: misspelt }, { ...typed.find((t) => t.type === 'IDeployment')!, object: misplaced }]);
    expect(errors.slice(0, typed.length)).toEqual(typed.map(() => []));
    expect(errors[typed.length]!.join()).toMatch(/'"readinessprobe"' does not exist in type 'IContainer'/);
    expect(errors[typed.length + 1]!.join()).toMatch(/'"terminationGracePeriodSeconds"' does not exist in type 'IDeploymentSpec'/);
  });

  it('the Deployment runs at least two replicas of the image, rolling with maxUnavailable 0', () => {
    expect(deployment.spec!.replicas).toBeGreaterThanOrEqual(2);
    expect(podSpec.containers).toHaveLength(1);
    // one version number: package.json's, also the image tag, the version label and the API's
    expect(container.image).toBe(`kinematics-service:${API_VERSION}`);
    expect(deployment.metadata!.labels!['app.kubernetes.io/version']).toBe(API_VERSION);
    expect((JSON.parse(readFileSync(join(REPO_ROOT, 'openapi', 'openapi.json'), 'utf8')) as { info: { version: string } }).info.version).toBe(API_VERSION);
    expect(readFileSync(join(REPO_ROOT, 'deploy', 'kubernetes', 'README.md'), 'utf8').match(/kinematics-service:\d+\.\d+\.\d+/g)?.every((tag) => tag === `kinematics-service:${API_VERSION}`)).toBe(true);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(deployment.spec!.strategy?.type).toBe('RollingUpdate');
    expect(deployment.spec!.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
    expect(selects(deployment.spec!.selector.matchLabels, deployment.spec!.template.metadata?.labels)).toBe(true);
  });

  it('its environment is a valid service configuration: uploads disabled, drain within the grace period', () => {
    expect(container.envFrom, 'no environment from Secrets or ConfigMaps (it could carry an ADMIN_TOKEN)').toBeUndefined();
    expect((container.env ?? []).filter((e) => e.valueFrom !== undefined || e.value === undefined)).toEqual([]);
    expect(Object.keys(env)).not.toContain('ADMIN_TOKEN');
    const config = loadConfig(env); // throws ConfigError on a value the service refuses
    expect(config.adminToken).toBeUndefined();
    expect(config.host).toBe('0.0.0.0');
    expect(isLoopbackHost(config.host), 'a non-loopback HOST without ADMIN_TOKEN: POST/DELETE /robots answer 403').toBe(false);
    expect(config.port).toBe(container.ports![0]!.containerPort);
    expect(config.dataDir).toBe('/data');
    expect(config.logLevel).toBe('info');
    expect(config.shutdownDelayMs).toBe(3000);
    expect(config.shutdownTimeoutMs).toBe(6000);
    // the second after the timeout in which stopped batches answer: see src/server.ts
    expect(podSpec.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(config.shutdownDelayMs + config.shutdownTimeoutMs + 1000);
    expect(config.workerThreads, 'one worker thread per CPU of the limit').toBe(cpuCores(container.resources?.limits?.cpu));
  });

  it('probes /healthz for liveness and /readyz for readiness on the http port', () => {
    expect(container.livenessProbe?.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe?.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
    expect(container.startupProbe?.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    const liveness = container.livenessProbe!;
    expect((liveness.periodSeconds ?? 10) * (liveness.failureThreshold ?? 3), 'liveness tolerates 30 s of failures').toBeGreaterThanOrEqual(30);
    expect((container.readinessProbe!.periodSeconds ?? 10)).toBeLessThanOrEqual(10);
  });

  it('runs as non-root with a read-only root file system and no capabilities', () => {
    expect(podSpec.securityContext).toMatchObject({
      runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
    expect(container.securityContext?.capabilities?.add).toBeUndefined();
    expect(container.resources?.requests).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });
    expect(container.resources?.limits).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });
  });

  it('mounts the robots ConfigMap read-only at ROBOTS_DIR and an emptyDir at DATA_DIR', () => {
    const configMap = only<IConfigMap>(manifests, 'ConfigMap');
    const volumeAt = (path: string | undefined) => {
      const mount = (container.volumeMounts ?? []).find((m) => m.mountPath === path);
      return { mount, volume: (podSpec.volumes ?? []).find((v) => v.name === mount?.name) };
    };
    const robots = volumeAt(env.ROBOTS_DIR);
    expect(robots.mount?.readOnly).toBe(true);
    expect(robots.volume?.configMap?.name).toBe(configMap.metadata?.name);
    expect(robots.volume?.configMap?.items, 'every key of the ConfigMap is a file').toBeUndefined();
    const data = volumeAt(env.DATA_DIR);
    expect(data.volume?.emptyDir).toBeDefined();
  });

  it('the ConfigMap holds exactly the files of robots/, byte for byte (run `npm run k8s:configmap` after changing robots/)', () => {
    const configMap = only<IConfigMap>(manifests, 'ConfigMap');
    const files = readdirSync(ROBOTS_DIR).filter((f) => f.endsWith('.urdf')).sort();
    expect(Object.keys(configMap.data ?? {}).sort()).toEqual(files);
    for (const file of files) {
      expect(Buffer.from(configMap.data![file]!, 'utf8').equals(readFileSync(join(ROBOTS_DIR, file))), `${file} differs from robots/${file}`).toBe(true);
    }
    expect(configMap.binaryData).toBeUndefined();
    expect(readFileSync(CONFIGMAP_FILE, 'utf8'), 'configmap-robots.yaml is what `npm run k8s:configmap` writes').toBe(generateRobotsConfigMap());
    expect(readFileSync(CONFIGMAP_FILE).length).toBeLessThan(CONFIGMAP_MAX_BYTES);
  });

  it('the Service selects the pods and targets the named port', () => {
    const service = only<IService>(manifests, 'Service');
    expect(service.spec?.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(selects(service.spec?.selector, deployment.spec!.template.metadata?.labels)).toBe(true);
    expect(service.spec?.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(container.ports!.map((p) => p.name)).toContain(service.spec!.ports![0]!.targetPort);
  });

  it('the HorizontalPodAutoscaler scales the Deployment on CPU from at least two replicas', () => {
    const hpa = only<IHorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.spec?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata?.name });
    expect(hpa.spec?.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas!);
    expect(hpa.spec?.metrics).toContainEqual({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } });
    expect(container.resources?.requests?.cpu, 'utilization is relative to the CPU request').toBeDefined();
  });

  it('the PodDisruptionBudget selects the pods and lets one go at a time', () => {
    const pdb = only<IPodDisruptionBudget>(manifests, 'PodDisruptionBudget');
    expect(selects(pdb.spec?.selector?.matchLabels, deployment.spec!.template.metadata?.labels)).toBe(true);
    const { minAvailable, maxUnavailable } = pdb.spec!;
    expect(minAvailable === 1 || maxUnavailable === 1).toBe(true);
  });

  it.skipIf(spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status !== 0)(
    'kubectl kustomize builds them (skipped where kubectl is not installed)',
    () => {
      const built = parseAllDocuments(execFileSync('kubectl', ['kustomize', K8S_DIR], { encoding: 'utf8' }));
      const objects = (Array.isArray(built) ? built : [built]).map((d) => d.toJS() as Manifest['object']);
      expect(objects.map((o) => `${String(o.kind)}/${o.metadata?.name}`).sort())
        .toEqual(manifests.map((m) => `${String(m.object.kind)}/${m.object.metadata?.name}`).sort());
    },
  );
});

describe('the service as the Deployment runs it', () => {
  let server: ServerProcess;
  let root: string;
  let robotIds: string[];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'kinematics-k8s-'));
    // the kubelet's layout of a ConfigMap volume: the files in a timestamped folder, ..data a link
    // to it, and one link per key through ..data
    const robotsDir = join(root, 'robots');
    const version = '..2026_01_01_00_00_00.000000001';
    mkdirSync(join(robotsDir, version), { recursive: true });
    const data = only<IConfigMap>(manifests, 'ConfigMap').data ?? {};
    for (const [key, text] of Object.entries(data)) writeFileSync(join(robotsDir, version, key), text);
    symlinkSync(version, join(robotsDir, '..data'));
    for (const key of Object.keys(data)) symlinkSync(join('..data', key), join(robotsDir, key));
    robotIds = Object.keys(data).map((key) => basename(key, '.urdf')).sort();
    mkdirSync(join(root, 'data'));
    const { PORT: _port, ...deploymentEnv } = env; // a free port instead of 8080
    server = await startServer({ ...deploymentEnv, ROBOTS_DIR: robotsDir, DATA_DIR: join(root, 'data') });
    await untilServing(server.url);
  });

  afterAll(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the ConfigMap robots, refuses uploads and deletes with 403, and drains on SIGTERM', async () => {
    const list = await fetch(`${server.url}/robots`);
    const robots = await list.json() as { robots: { id: string }[] };
    expect(list.status, JSON.stringify(robots)).toBe(200);
    expect(robots.robots.map((r) => r.id).sort()).toEqual(robotIds);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    const upload = await fetch(`${server.url}/robots?id=my_arm`, {
      method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<robot name="my_arm"><link name="a"/></robot>',
    });
    expect(upload.status).toBe(403);
    expect((await upload.json() as { type: string }).type).toContain('uploads-disabled');
    expect((await fetch(`${server.url}/robots/ur5e`, { method: 'DELETE' })).status).toBe(403);

    const t0 = performance.now();
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await fetch(`${server.url}/readyz`)).status, '/readyz turns 503 at once').toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status, 'liveness stays 200 while draining').toBe(200);
    const fk = await fetch(`${server.url}/robots/ur5e/fk`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ q: [0, -1.2, 1.5, -1.9, -1.57, 0] }),
    });
    expect(fk.status, 'requests are still served during SHUTDOWN_DELAY_MS').toBe(200);
    expect(await server.exited).toBe(0);
    // the log is buffered and flushed on exit
    expect(server.lines.join('\n')).toMatch(/POST \/robots and DELETE \/robots\/\{id\} are disabled/);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(Number(env.SHUTDOWN_DELAY_MS) - 50);
    expect(elapsed, 'exits before the kubelet would SIGKILL').toBeLessThan(podSpec.terminationGracePeriodSeconds! * 1000);
  });
});

// ---------------------------------------------------------------------------------------------
// the overlays: uploads on a shared registry (PostgreSQL)

const OVERLAYS_DIR = join(K8S_DIR, 'overlays');

interface Kustomization { resources?: string[]; patches?: { path: string; target: { kind: string; name: string } }[] }
type PatchOperation = { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown };

/**
 * Applies a JSON 6902 patch (add, replace, remove; RFC 6902 pointers, "-" appends), as kustomize
 * does for `patches` of that form; the overlays use no other kind of patch, and this throws on one.
 */
function applyJsonPatch(object: unknown, operations: PatchOperation[]): unknown {
  const copy = structuredClone(object) as Record<string, any>;
  for (const { op, path, value } of operations) {
    const keys = path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop()!;
    let parent: any = copy;
    for (const key of keys) {
      parent = parent[Array.isArray(parent) ? Number(key) : key];
      if (parent === undefined) throw new Error(`patch path ${path} does not exist`);
    }
    if (op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (op === 'add' && Array.isArray(parent)) {
      parent.splice(last === '-' ? parent.length : Number(last), 0, value);
    } else if (op === 'add' || op === 'replace') {
      parent[last] = value;
    } else {
      throw new Error(`unsupported patch operation ${String(op)}`);
    }
  }
  return copy;
}

/** The objects `kubectl apply -k <dir>` would apply: resources (folders recursively, files as documents), then patches. */
function renderKustomization(dir: string): Manifest[] {
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  let manifests: Manifest[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource);
    if (resource.endsWith('.yaml')) {
      manifests.push(...parseAllDocuments(readFileSync(path, 'utf8')).map((d, i) => ({ where: `${relativeToK8s(path)} document ${i + 1}`, object: d.toJS() as Manifest['object'] })));
    } else if (path === K8S_DIR) {
      manifests.push(...loadManifests());
    } else {
      manifests.push(...renderKustomization(path));
    }
  }
  for (const patch of kustomization.patches ?? []) {
    const operations = parse(readFileSync(join(dir, patch.path), 'utf8')) as PatchOperation[];
    const targets = manifests.filter((m) => m.object.kind === patch.target.kind && m.object.metadata?.name === patch.target.name);
    expect(targets.map((t) => t.where), `${patch.path} patches exactly one ${patch.target.kind}`).toHaveLength(1);
    manifests = manifests.map((m) => (targets.includes(m) ? { where: `${m.where} + ${patch.path}`, object: applyJsonPatch(m.object, operations) as Manifest['object'] } : m));
  }
  return manifests;
}

function relativeToK8s(path: string): string {
  return path.slice(K8S_DIR.length + 1);
}

describe('the overlays for uploads on a shared registry', () => {
  const shared = renderKustomization(join(OVERLAYS_DIR, 'shared-registry'));
  const trial = renderKustomization(join(OVERLAYS_DIR, 'postgres-trial'));
  const sharedContainer = only<IDeployment>(shared, 'Deployment').spec!.template.spec!.containers[0]!;

  it.each([...shared, ...trial].map((m) => [m.where, m] as const))('%s is valid against the Kubernetes schema', (_where, manifest) => {
    expect(() => validateManifest(manifest)).not.toThrow();
    expect(manifest.object.metadata?.namespace).toBeUndefined();
  });

  it('have no unknown fields', () => {
    const typed = [...shared, ...trial].map((m) => ({ ...modelFor(m.object), object: m.object }));
    expect(typeErrors(typed)).toEqual(typed.map(() => []));
  });

  it('shared-registry: the base with DATABASE_URL and ADMIN_TOKEN from the Secret kinematics-registry, nothing else changed', () => {
    expect(shared.map((m) => m.object.kind).sort()).toEqual(manifests.map((m) => m.object.kind).sort());
    const fromSecrets = (sharedContainer.env ?? []).filter((e) => e.valueFrom);
    expect(fromSecrets).toEqual([
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'kinematics-registry', key: 'database-url' } } },
      { name: 'ADMIN_TOKEN', valueFrom: { secretKeyRef: { name: 'kinematics-registry', key: 'admin-token' } } },
    ]);
    // required, not optional: a pod without its Secret must not start and take uploads into its own DATA_DIR
    expect(fromSecrets.every((e) => e.valueFrom!.secretKeyRef!.optional === undefined)).toBe(true);
    expect((sharedContainer.env ?? []).filter((e) => !e.valueFrom)).toEqual(container.env);
    const withoutEnv = (d: IDeployment): unknown => {
      const copy = structuredClone(d) as any;
      delete copy.spec.template.spec.containers[0].env;
      return copy;
    };
    expect(withoutEnv(only<IDeployment>(shared, 'Deployment'))).toEqual(withoutEnv(deployment));
    expect(only<IDeployment>(shared, 'Deployment').spec!.replicas).toBeGreaterThanOrEqual(2);
  });

  it('shared-registry: with the Secret\'s values the service enables uploads on every replica, all on PostgreSQL', () => {
    const environment = Object.fromEntries((sharedContainer.env ?? []).map((e) => [e.name, e.value ?? '']));
    environment.DATABASE_URL = 'postgres://kinematics:secret@kinematics-postgres:5432/kinematics';
    environment.ADMIN_TOKEN = 'a'.repeat(32);
    const config = loadConfig(environment);
    expect(config.databaseUrl).toBe(environment.DATABASE_URL);
    expect(config.adminToken).toBe(environment.ADMIN_TOKEN);
    expect(isLoopbackHost(config.host)).toBe(false);
  });

  it('postgres-trial: a PostgreSQL StatefulSet with its Service, and the database URL of the README reaching it', () => {
    expect(trial.map((m) => m.object.kind).sort()).toEqual([...shared.map((m) => m.object.kind), 'Service', 'StatefulSet'].sort());
    const statefulSet = only<IStatefulSet>(trial, 'StatefulSet');
    const service = trial.find((m) => m.object.kind === 'Service' && m.object.metadata?.name === 'kinematics-postgres')!.object as IService;
    expect(statefulSet.spec!.serviceName).toBe(service.metadata!.name);
    expect(selects(service.spec!.selector, statefulSet.spec!.template.metadata?.labels)).toBe(true);
    expect(selects(statefulSet.spec!.selector.matchLabels, statefulSet.spec!.template.metadata?.labels)).toBe(true);
    const pg = statefulSet.spec!.template.spec!.containers[0]!;
    expect(pg.ports![0]!.containerPort).toBe(5432);
    expect(service.spec!.ports![0]!.port).toBe(5432);
    expect(pg.env!.find((e) => e.name === 'POSTGRES_PASSWORD')!.valueFrom!.secretKeyRef).toEqual({ name: 'kinematics-postgres', key: 'password' });
    expect(pg.env!.some((e) => e.name === 'POSTGRES_PASSWORD' && e.value !== undefined), 'no password in the manifests').toBe(false);
    expect(statefulSet.spec!.volumeClaimTemplates![0]!.metadata!.name).toBe(pg.volumeMounts![0]!.name);
    expect(statefulSet.spec!.template.spec!.securityContext).toMatchObject({ runAsNonRoot: true });
    const readme = readFileSync(join(K8S_DIR, 'README.md'), 'utf8');
    const user = pg.env!.find((e) => e.name === 'POSTGRES_USER')!.value;
    const database = pg.env!.find((e) => e.name === 'POSTGRES_DB')!.value;
    expect(readme).toContain(`postgres://${user}:$PGPASSWORD@${service.metadata!.name}:5432/${database}`);
  });

  it('the kubernetes README explains both modes', () => {
    const readme = readFileSync(join(K8S_DIR, 'README.md'), 'utf8');
    for (const fragment of ['overlays/shared-registry', 'overlays/postgres-trial', 'kinematics-registry', 'managed', 'uploads are disabled']) {
      expect(readme).toContain(fragment);
    }
  });
});
