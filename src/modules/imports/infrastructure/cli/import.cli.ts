import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { GetImportErrorsQuery } from '../../application/get-import-errors/get-import-errors.query.js';
import { ImportRepository, type ImportRecord, type RejectedLine } from '../../application/ports/import-store.port.js';
import { FileTooLargeError } from '../../application/ports/import-file-storage.port.js';
import { DistributedLock, type HeldLock, importLockKey } from '../../application/ports/network-lock.port.js';
import { FileRefusedError } from '../../application/ports/user-file-parser.port.js';
import { ImportProcessor } from '../../application/process-import/import-processor.js';
import { ImportUploads } from '../../application/start-import/import-uploads.js';
import { StartImportCommand } from '../../application/start-import/start-import.command.js';
import type { ImportMode } from '../../domain/import.events.js';
import { importReportJson, type ImportReportJson } from '../http/import-report.json.js';
import { ProgressReporter } from './progress-reporter.js';

export interface ImportCliOptions {
  readonly network: string;
  readonly mode: ImportMode;
  readonly autoInvite: boolean;
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly notify?: string;
}

/**
 * Exit codes: 0 completed, 1 the import failed or could not go on, 2 the file was refused or cannot be read,
 * 'stopped' when `stop` ended it early (the caller knows which signal, hence which code).
 */
export type ImportCliOutcome = { exitCode: 0 | 1 | 2 | 'stopped'; report?: ImportReportJson };

const LOCK_WAIT_MS = 500;

async function networkLock(app: INestApplicationContext, networkId: string, stop: AbortSignal | undefined): Promise<HeldLock> {
  const locks = app.get(DistributedLock);
  let told = false;
  for (;;) {
    stop?.throwIfAborted();
    const lock = await locks.tryAcquire(importLockKey(networkId));
    if (lock) return lock;
    if (!told) process.stderr.write(`Another import of network ${networkId} is running; waiting for it to finish…\n`);
    told = true;
    await new Promise((r) => setTimeout(r, LOCK_WAIT_MS));
  }
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The network's imports that are queued or stopped mid-way, oldest first. */
async function unfinishedImports(app: INestApplicationContext, networkId: string): Promise<ImportRecord[]> {
  const imports = app.get(ImportRepository);
  const found: ImportRecord[] = [];
  for (let after: string | undefined; ; ) {
    const page = await imports.list(networkId, after, 200);
    found.push(...page.items.filter((r) => r.phase !== 'done'));
    if (!page.nextCursor) return found.reverse();
    after = page.nextCursor;
  }
}

function whereItStopped(r: ImportRecord): string {
  if (r.phase === 'queued') return 'has not started';
  if (r.phase === 'linking') return `stopped after line ${r.appliedThrough}, while linking managers,`;
  return `stopped after line ${r.appliedThrough}`;
}

const UNREADABLE: Record<string, string> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/**
 * Why `file` cannot be imported, in a few words, or undefined when it can be read. Checked before the database is
 * opened, so a mistyped path costs one line of output and no import.
 */
export async function unreadableFile(file: string): Promise<string | undefined> {
  try {
    const handle = await open(file, 'r');
    try {
      // Opening a directory for reading succeeds; reading it is what fails.
      if ((await handle.stat()).isDirectory()) return UNREADABLE.EISDIR;
    } finally {
      await handle.close();
    }
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return (code && UNREADABLE[code]) ?? (error as Error).message;
  }
}

/** Rejected lines and warnings shown in the summary; the report and the errors endpoint have them all. */
const SHOWN = 20;

function summary(r: ImportReportJson, rejected: readonly RejectedLine[]): string {
  const c = r.counts;
  const lines = [
    `Import ${r.id} ${r.status}${r.dryRun ? ' (dry run: nothing was written)' : ''}`,
    `  file ${r.fileName} (sha256 ${r.sha256.slice(0, 12)}…), mode ${r.mode === 'skip' ? 'skip existing users' : 'update existing users'}`,
    `  rows ${c.rows}: created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, skipped ${c.skipped}, rejected ${c.rejected}`,
    `  activated ${c.activated}, deactivated ${c.deactivated}`,
  ];
  if (r.failureReason) lines.push(`  why: ${r.failureReason}`);
  // Most errors name their line already ("line 4: …"); a duplicate's names the line it repeats.
  for (const { line, error } of rejected) lines.push(`  rejected ${error.startsWith(`line ${line}`) ? error : `line ${line}: ${error}`}`);
  if (c.rejected > rejected.length) {
    lines.push(`  … ${c.rejected - rejected.length} more rejected lines: GET /api/v1/networks/${r.networkId}/imports/${r.id}/errors (Accept: text/csv gives them as a file to fix and upload again)`);
  }
  for (const w of r.warnings.slice(0, SHOWN)) lines.push(`  warning: ${w}`);
  if (r.warnings.length > SHOWN) lines.push(`  … ${r.warnings.length - SHOWN} more warnings in the report`);
  return lines.join('\n') + '\n';
}

/**
 * `office-chat-users import FILE`: the same application code as the API, in this process, on a file
 * `unreadableFile` accepted. The network lock is taken first, so a running service's worker and this command never
 * work on the same network at once. An unfinished import of the same bytes with the same options (one this command
 * was stopped in, or a process died in) is resumed instead of starting another that would skip what it applied and
 * never make the manager links its first part left waiting. `stop` (Ctrl-C) ends it after the batch being written.
 */
export async function runImportCli(app: INestApplicationContext, file: string, options: ImportCliOptions, stop?: AbortSignal): Promise<ImportCliOutcome> {
  // A pipe (/dev/stdin) can be read once: it is stored as it comes, and has nothing to resume.
  const sha256 = (await stat(file)).isFile() ? await fileSha256(file) : undefined;
  const sameFile = (r: ImportRecord) =>
    sha256 !== undefined && r.sha256 === sha256 && r.mode === options.mode && r.autoSendInvites === options.autoInvite && r.dryRun === options.dryRun;
  // Looked at before waiting for the network: a service may finish this very import meanwhile.
  const sameBefore = (await unfinishedImports(app, options.network)).find(sameFile);
  let lock: HeldLock;
  try {
    lock = await networkLock(app, options.network, stop);
  } catch (error) {
    if (!stop?.aborted) throw error;
    process.stderr.write('Stopped before the import began: nothing was imported.\n');
    return { exitCode: 'stopped' };
  }
  let recordId: string | undefined;
  const progress = new ProgressReporter();
  const stopping = () => {
    progress.done();
    process.stderr.write('Stopping after the batch being written (press Ctrl-C again to stop at once)…\n');
  };
  stop?.addEventListener('abort', stopping, { once: true });
  try {
    const unfinished = await unfinishedImports(app, options.network);
    const same = unfinished.find(sameFile);
    const finishedMeanwhile = !same && sameBefore ? await app.get(ImportRepository).getById(sameBefore.id) : null;
    if (finishedMeanwhile?.phase === 'done') {
      process.stderr.write(`Import ${finishedMeanwhile.id} of ${finishedMeanwhile.fileName}, the same file and options, was finished by another process while this one waited.\n`);
      return await finishedOutcome(app, finishedMeanwhile, options);
    }
    for (const other of unfinished) {
      if (other === same) continue;
      process.stderr.write(
        `Import ${other.id} of ${other.fileName} ${whereItStopped(other)} and is not finished: run its import command again to finish it ` +
          `(a service running with the import worker on this database finishes it by itself).\n`,
      );
    }
    if (same) {
      recordId = same.id;
      if (options.notify !== undefined && options.notify !== same.notifyEmail) await app.get(ImportRepository).setNotifyEmail(same.id, options.notify);
      if (same.phase === 'applying') progress.resumeAfter(same.counts.rows);
      process.stderr.write(
        same.phase === 'queued'
          ? `Starting import ${same.id} of ${same.fileName}, queued at ${same.createdAt} with the same file and options.\n`
          : `Resuming import ${same.id} of ${same.fileName} after line ${same.appliedThrough} (the same file and options, started at ${same.startedAt ?? same.createdAt}).\n`,
      );
    } else {
      const started = await startImport(app, file, options, sha256);
      if (typeof started !== 'string') return started;
      recordId = started;
    }
    const finished = await app.get(ImportProcessor).process(recordId, (p) => progress.update(p), stop);
    progress.done();
    return await finishedOutcome(app, finished, options);
  } catch (error) {
    progress.done();
    if (!stop?.aborted && recordId === undefined) throw error;
    const record = recordId === undefined ? undefined : await app.get(ImportRepository).getById(recordId).catch(() => undefined);
    if (!record) {
      if (stop?.aborted) {
        process.stderr.write('Stopped before the import began: nothing was imported.\n');
        return { exitCode: 'stopped' };
      }
      throw error;
    }
    // Every batch committed stays; the same command finds this import and goes on after its last line.
    const resume = `Nothing applied is lost: run the same command again to resume it (a service running with the import worker on this database resumes it by itself).`;
    if (stop?.aborted) {
      process.stderr.write(`Import ${record.id} ${whereItStopped(record)} (${record.counts.rows} rows applied). ${resume}\n`);
      return { exitCode: 'stopped' };
    }
    process.stderr.write(`office-chat-users: import ${record.id} ${whereItStopped(record)}: ${(error as Error).message}. ${resume}\n`);
    return { exitCode: 1 };
  } finally {
    stop?.removeEventListener('abort', stopping);
    await lock.release();
  }
}

/** Prints a finished import's summary, or its report alone with --json. */
async function finishedOutcome(app: INestApplicationContext, finished: ImportRecord, options: ImportCliOptions): Promise<ImportCliOutcome> {
  const report = importReportJson(finished);
  if (options.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    const rejected = report.counts.rejected > 0 ? (await app.get(QueryBus).execute(new GetImportErrorsQuery(options.network, report.id, 0, SHOWN))).items : [];
    process.stdout.write(summary(report, rejected));
  }
  return { exitCode: report.status === 'completed' ? 0 : 1, report };
}

/**
 * Stores the file and starts its import; its id, or the outcome when the file was refused. `sha256`, of the file
 * as first read, must be that of the bytes stored: a file still being written would import as far as it got.
 */
async function startImport(app: INestApplicationContext, file: string, options: ImportCliOptions, sha256: string | undefined): Promise<string | ImportCliOutcome> {
  const uploads = app.get(ImportUploads);
  try {
    const upload = await uploads.store(createReadStream(file, { highWaterMark: 1024 * 1024 }));
    if (sha256 !== undefined && upload.sha256 !== sha256) {
      await uploads.discard(upload);
      process.stderr.write(`office-chat-users: ${file} changed while it was being read (is it still being written?): nothing was imported. Import it again once it is complete.\n`);
      return { exitCode: 2 };
    }
    try {
      const record = await app.get(CommandBus).execute(
        new StartImportCommand(
          {
            networkId: options.network,
            actor: { id: `cli:${userInfo().username}`, email: options.notify },
            correlationId: randomUUID(),
          },
          { fileName: basename(file), upload, mode: options.mode, autoSendInvites: options.autoInvite, dryRun: options.dryRun, notifyEmail: options.notify },
        ),
      );
      return record.id;
    } catch (error) {
      await uploads.discard(upload);
      throw error;
    }
  } catch (error) {
    if (error instanceof FileRefusedError || error instanceof FileTooLargeError) {
      process.stderr.write(`The file was refused: ${error.message}\n`);
      return { exitCode: 2 };
    }
    throw error;
  }
}
