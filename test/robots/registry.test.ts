/**
 * What the registry does with a data folder it cannot fully use: nothing there stops the service,
 * nothing acknowledged is dropped silently, and a failed write is not registered.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RobotStore } from '../../src/robots/robot-store.js';
import { RegistryError, RobotRegistry } from '../../src/robots/registry.js';
import { DEFAULT_URDF_LIMITS } from '../../src/urdf/urdf-parser.js';
import { ROBOTS_DIR } from '../helpers/paths.js';

const chain = (name: string, links: number): string => `<robot name="${name}"><link name="l0"/>${Array.from({ length: links - 1 }, (_, i) =>
  `<link name="l${i + 1}"/><joint name="j${i + 1}" type="continuous"><parent link="l${i}"/><child link="l${i + 1}"/><axis xyz="0 0 1"/></joint>`).join('')}</robot>`;

interface Logged { level: string; object: object; message: string }

function registryIn(dataDir: string, maxLinks = DEFAULT_URDF_LIMITS.maxLinks): { registry: RobotRegistry; logged: Logged[] } {
  const logged: Logged[] = [];
  const log = (level: string) => (object: object, message: string): void => { logged.push({ level, object, message }); };
  const registry = new RobotRegistry({
    robotsDir: ROBOTS_DIR, dataDir, urdfLimits: { ...DEFAULT_URDF_LIMITS, maxLinks, maxJoints: maxLinks },
    logger: { info: log('info'), warn: log('warn'), error: log('error') }, warm: false,
  });
  return { registry, logged };
}

describe('robot registry and its data folder', () => {
  const folders: string[] = [];
  const folder = (): string => { const dir = mkdtempSync(join(tmpdir(), 'registry-')); folders.push(dir); return dir; };
  afterEach(() => {
    vi.restoreAllMocks();
    for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a stored robot that is larger than lowered caps allow, loads it again when they are raised', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'long_arm.urdf'), chain('long_arm', 6));
    const lowered = registryIn(dir, 4);
    await lowered.registry.load();
    expect(() => lowered.registry.get('long_arm')).toThrow(RegistryError);
    expect(readdirSync(dir)).toEqual(['long_arm.urdf']); // not set aside: it is not damaged
    expect(lowered.logged.some((l) => l.level === 'error' && l.message.includes('URDF_MAX_BYTES or URDF_MAX_LINKS'))).toBe(true);
    const raised = registryIn(dir);
    await raised.registry.load();
    expect(raised.registry.get('long_arm').context.robot.model.dof).toBe(5);
  });

  it('loads the rest when a damaged file cannot be set aside', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'good.urdf'), chain('good', 3));
    writeFileSync(join(dir, 'bad.urdf'), '<robot name="bad"><link name=');
    vi.spyOn(RobotStore.prototype, 'setAside').mockRejectedValue(Object.assign(new Error('EPERM: operation not permitted, rename'), { code: 'EPERM' }));
    const { registry, logged } = registryIn(dir);
    await registry.load();
    expect(registry.get('good').source).toBe('uploaded');
    expect(logged.find((l) => l.message.includes('could not be set aside'))?.object).toMatchObject({ file: 'bad.urdf' });
  });

  it('serves the builtin robots when the data folder cannot be used, and says so', async () => {
    vi.spyOn(RobotStore.prototype, 'open').mockRejectedValue(Object.assign(new Error('EACCES: permission denied, mkdir'), { code: 'EACCES' }));
    const { registry, logged } = registryIn(folder());
    await registry.load();
    expect(registry.get('ur5e').source).toBe('builtin');
    expect(logged.some((l) => l.level === 'error' && l.message.includes('cannot use the data folder'))).toBe(true);
  });

  it('does not register an upload that could not be stored, and says to retry', async () => {
    const { registry } = registryIn(folder());
    await registry.load();
    vi.spyOn(RobotStore.prototype, 'write').mockRejectedValue(Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' }));
    const failed = registry.add('arm', chain('arm', 3));
    await expect(failed).rejects.toMatchObject({ code: 'STORAGE' });
    await expect(failed).rejects.toThrow('EROFS in the data folder');
    expect(() => registry.get('arm')).toThrow('no robot "arm"');
  });

  it('refuses to start on a robots folder it cannot read, naming ROBOTS_DIR', async () => {
    const registry = new RobotRegistry({
      robotsDir: join(folder(), 'missing'), dataDir: folder(), urdfLimits: DEFAULT_URDF_LIMITS,
      logger: { info: () => {}, warn: () => {}, error: () => {} }, warm: false,
    });
    await expect(registry.load()).rejects.toThrow(/cannot read the robots folder ROBOTS_DIR=.*missing \(ENOENT\)/);
  });
});
