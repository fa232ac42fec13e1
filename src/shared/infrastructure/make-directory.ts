import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/*
 * `mkdir -p` that ends. Node's own (`{ recursive: true }`, sync or not) spins forever where a parent exists but
 * answers ENOENT for a child: a dangling symlink (a volume that is not mounted) or a path under /proc. Here a folder
 * is tried again once its parent has been made or found, and a second ENOENT is the answer.
 */

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** What EEXIST found is no folder: a file. A link to nothing is let by, so that its child's mkdir says ENOENT. */
function fileInTheWay(dir: string): boolean {
  try {
    return !statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function make(dir: string): void {
  try {
    mkdirSync(dir);
    return;
  } catch (error) {
    if (codeOf(error) === 'EEXIST' && !fileInTheWay(dir)) return;
    if (codeOf(error) !== 'ENOENT' || dirname(dir) === dir) throw error;
  }
  make(dirname(dir));
  try {
    mkdirSync(dir);
  } catch (error) {
    // Made meanwhile by another process.
    if (codeOf(error) !== 'EEXIST' || fileInTheWay(dir)) throw error;
  }
}

/**
 * Synchronous on purpose, with one body: it runs at start-up and before a mail file is written, where a mkdir that
 * finds its folder there costs microseconds.
 */
export function makeDirectory(dir: string): void {
  make(dir);
  // A link to nothing passes as a parent (see fileInTheWay), but is no folder to end at: said as mkdir would.
  if (!existsSync(dir)) {
    throw Object.assign(new Error(`ENOENT: no such file or directory, mkdir '${dir}'`), { code: 'ENOENT', syscall: 'mkdir', path: dir });
  }
}
