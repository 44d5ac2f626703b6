/**
 * Durable storage of uploaded URDFs: one `<id>.urdf` file per robot in the data folder.
 *
 * A write is acknowledged only once it survives a crash at any moment: the text goes to a
 * temporary file in the same folder, which is fsynced, renamed over the final name (atomic on
 * POSIX file systems) and followed by an fsync of the folder, which makes the rename itself
 * durable. A crash before the rename leaves only a temporary file, removed at the next start; a
 * crash after it leaves the complete new file. Deletes unlink and fsync the folder the same way.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const TEMP_SUFFIX = '.tmp';
const URDF_SUFFIX = '.urdf';

export interface StoredRobot {
  id: string;
  text: string;
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** What the data folder holds at start (see RobotStore.open). */
export interface StoreContents {
  robots: StoredRobot[];
  /** Robot files that could not be read, or whose name is not an id. */
  unreadable: { file: string; reason: string }[];
  /** Temporary files of unfinished uploads, removed. */
  removedTemporary: string[];
  /** Temporary files that could not be removed. */
  unremovable: { file: string; reason: string }[];
}

export class RobotStore {
  constructor(readonly dir: string) {}

  private fileOf(id: string): string {
    return join(this.dir, `${id}${URDF_SUFFIX}`);
  }

  /**
   * Creates the folder if needed, removes temporary files left by a crash, and returns every
   * stored robot whose file name is a robot file (`<id>.urdf`). Files that cannot be read are
   * returned in `unreadable` for the caller to set aside. Throws only when the folder itself
   * cannot be created or listed.
   */
  async open(isValidId: (id: string) => boolean): Promise<StoreContents> {
    await mkdir(this.dir, { recursive: true });
    const contents: StoreContents = { robots: [], unreadable: [], removedTemporary: [], unremovable: [] };
    const { robots, unreadable, removedTemporary, unremovable } = contents;
    for (const file of (await readdir(this.dir)).sort()) {
      if (file.startsWith('.') && file.endsWith(TEMP_SUFFIX)) {
        // never renamed into place, so never acknowledged
        try {
          await unlink(join(this.dir, file));
          removedTemporary.push(file);
        } catch (error) {
          unremovable.push({ file, reason: (error as Error).message });
        }
        continue;
      }
      if (!file.endsWith(URDF_SUFFIX)) continue;
      const id = file.slice(0, -URDF_SUFFIX.length);
      if (!isValidId(id)) {
        unreadable.push({ file, reason: 'its name is not a valid robot id' });
        continue;
      }
      try {
        robots.push({ id, text: await readFile(join(this.dir, file), 'utf8') });
      } catch (error) {
        unreadable.push({ file, reason: (error as Error).message });
      }
    }
    return contents;
  }

  /** Writes `<id>.urdf` durably (see the module comment); resolves once it is on disk. */
  async write(id: string, text: string): Promise<void> {
    const temporary = join(this.dir, `.${id}${URDF_SUFFIX}.${randomUUID()}${TEMP_SUFFIX}`);
    const handle = await open(temporary, 'wx', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, this.fileOf(id));
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await fsyncDirectory(this.dir);
  }

  /** Removes `<id>.urdf` durably. */
  async remove(id: string): Promise<void> {
    await unlink(this.fileOf(id));
    await fsyncDirectory(this.dir);
  }

  /**
   * Moves a file that cannot be loaded out of the way (`<file>.rejected-<time>`), so that it is
   * kept for inspection but no longer read at start. Returns the new name.
   */
  async setAside(file: string): Promise<string> {
    const aside = `${file}.rejected-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(join(this.dir, file), join(this.dir, aside));
    await fsyncDirectory(this.dir);
    return aside;
  }
}
