import { existsSync, mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/*
 * `mkdir -p` that ends. Node's own (`{ recursive: true }`, sync or not) spins forever where a parent exists but
 * answers ENOENT for a child: a dangling symlink (a volume that is not mounted) or a path under /proc. Here a folder
 * is tried again once its parent has been made or found, and a second ENOENT is the answer.
 */

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** What EEXIST found is no folder: a file. A link to nothing is let by, so that its child's mkdir says ENOENT. */
function fileInTheWaySync(dir: string): boolean {
  try {
    return !statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

async function fileInTheWay(dir: string): Promise<boolean> {
  return stat(dir).then(
    (found) => !found.isDirectory(),
    () => false,
  );
}

function makeSync(dir: string): void {
  try {
    mkdirSync(dir);
    return;
  } catch (error) {
    if (codeOf(error) === 'EEXIST' && !fileInTheWaySync(dir)) return;
    if (codeOf(error) !== 'ENOENT' || dirname(dir) === dir) throw error;
  }
  makeSync(dirname(dir));
  try {
    mkdirSync(dir);
  } catch (error) {
    // Made meanwhile by another process.
    if (codeOf(error) !== 'EEXIST' || fileInTheWaySync(dir)) throw error;
  }
}

async function make(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (error) {
    if (codeOf(error) === 'EEXIST' && !(await fileInTheWay(dir))) return;
    if (codeOf(error) !== 'ENOENT' || dirname(dir) === dir) throw error;
  }
  await make(dirname(dir));
  try {
    await mkdir(dir);
  } catch (error) {
    if (codeOf(error) !== 'EEXIST' || (await fileInTheWay(dir))) throw error;
  }
}

/** A link to nothing passes as a parent (see fileInTheWay), but is no folder to end at: said as mkdir would. */
function noFolderAt(dir: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOENT: no such file or directory, mkdir '${dir}'`), { code: 'ENOENT', syscall: 'mkdir', path: dir });
}

export function makeDirectorySync(dir: string): void {
  makeSync(dir);
  if (!existsSync(dir)) throw noFolderAt(dir);
}

export async function makeDirectory(dir: string): Promise<void> {
  await make(dir);
  if (!(await stat(dir).then(() => true, () => false))) throw noFolderAt(dir);
}
