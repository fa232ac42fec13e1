import { readFileSync, readlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeDirectory } from '../shared/infrastructure/make-directory.js';

/** Refused because another process has the embedded database open. */
export class EmbeddedDatabaseBusyError extends Error {}

interface Holder {
  readonly pid: number;
  readonly command: string;
  readonly script: string;
}

function alive(holder: Holder): boolean {
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A pid reused after a crash or a container restart is not ours: Linux says what runs under it. The holder's
  // script is absolute (Node resolves argv[1]) while its command line has it as typed (`npm start` runs
  // `node dist/cli/main.js`), so each argument is resolved against the holder's working directory.
  try {
    const cwd = readlinkSync(`/proc/${holder.pid}/cwd`);
    return readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8')
      .split('\0')
      .some((arg) => arg !== '' && resolve(cwd, arg) === holder.script);
  } catch {
    return true;
  }
}

/**
 * Takes DATA_DIR's embedded database for this process, or refuses saying who has it. PGlite keeps the database in
 * the memory of the one process that opened it and writes it back to disk: two processes on one directory each
 * lose the other's writes. The lock file goes when this process exits; one left by a killed process is taken over.
 */
export function lockEmbeddedDatabase(dataDir: string, command: string): void {
  const dir = resolve(dataDir);
  makeDirectory(dir);
  const path = join(dir, 'pgdata.lock');
  const me: Holder = { pid: process.pid, command, script: process.argv[1] ?? '' };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(me), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw error;
    }
    let holder: Holder | undefined;
    try {
      holder = JSON.parse(readFileSync(path, 'utf8')) as Holder;
    } catch {
      holder = undefined; // half-written by a process that died: stale
    }
    if (holder && alive(holder)) {
      const other = holder.command === 'serve' ? `\`serve\` (pid ${holder.pid}): import through its API or admin page, or stop it first` : `\`${holder.command}\` (pid ${holder.pid}): wait for it to end`;
      throw new EmbeddedDatabaseBusyError(
        `office-chat-users: the embedded database in ${join(dir, 'pgdata')} is in use by ${other}. ` +
          `It can be opened by one process at a time; set DATABASE_URL to a PostgreSQL server to run several at once.`,
      );
    }
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  process.once('exit', () => {
    try {
      if ((JSON.parse(readFileSync(path, 'utf8')) as Holder).pid === process.pid) unlinkSync(path);
    } catch {
      // already gone
    }
  });
}
