/**
 * Starts the real service in a child process, as an operator would (`src/server.ts` through tsx),
 * for end-to-end tests and HTTP benchmarks: on a free port, ready once /healthz answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './repo-root.js';

const MAX_LINES = 10_000;

/** Servers still running: killed when this process exits, so that a failed or aborted test leaves none behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** The lines the process wrote to stdout and stderr (the last 10,000). */
  lines: string[];
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
}

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface StartOptions {
  /** Extra node options (for example --cpu-prof). */
  nodeArgs?: string[];
  /** Run the compiled dist/server.js (as in production; needs `npm run build`) instead of the sources. */
  compiled?: boolean;
  /** Another compiled server script to run instead (for example an earlier build, to compare in one run). */
  entry?: string;
  /**
   * Run the server in a session of its own (setsid), as a service is run: where the kernel groups
   * the CPU by session (sched_autogroup), it then gets its own share rather than part of the caller's.
   */
  ownSession?: boolean;
  timeoutMs?: number;
}

/** Starts the service with `env` added to this process's environment. */
export async function startServer(env: Record<string, string> = {}, options: StartOptions = {}): Promise<ServerProcess> {
  const { nodeArgs = [], compiled = false, timeoutMs = 20_000 } = options;
  const port = env.PORT ?? String(await freePort());
  const entry = options.entry ? [options.entry]
    : compiled ? [join(ROOT, 'dist', 'server.js')] : ['--import', 'tsx', join(ROOT, 'src', 'server.ts')];
  const child = spawn(process.execPath, [...nodeArgs, ...entry], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env, PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownSession ?? false,
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(line);
    if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  running.add(child);
  let exitCode: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => {
    running.delete(child);
    exitCode = code ?? signal ?? -1;
    resolve(exitCode);
  }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`server exited (${exitCode}) before answering:\n${lines.join('\n')}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child, lines, exited };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not answer /healthz in ${timeoutMs} ms:\n${lines.join('\n')}`);
}
