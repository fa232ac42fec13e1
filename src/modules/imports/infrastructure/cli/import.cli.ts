import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { GetImportErrorsQuery } from '../../application/get-import-errors/get-import-errors.query.js';
import type { RejectedLine } from '../../application/ports/import-store.port.js';
import { FileTooLargeError } from '../../application/ports/import-file-storage.port.js';
import { DistributedLock, type HeldLock } from '../../application/ports/network-lock.port.js';
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

/** Exit codes: 0 completed, 1 the import failed, 2 the file was refused or cannot be read. */
export type ImportCliOutcome = { exitCode: 0 | 1 | 2; report?: ImportReportJson };

const LOCK_WAIT_MS = 500;

async function networkLock(app: INestApplicationContext, networkId: string): Promise<HeldLock> {
  const locks = app.get(DistributedLock);
  let told = false;
  for (;;) {
    const lock = await locks.tryAcquire(`imports:${networkId}`);
    if (lock) return lock;
    if (!told) process.stderr.write(`Another import of network ${networkId} is running; waiting for it to finish…\n`);
    told = true;
    await new Promise((r) => setTimeout(r, LOCK_WAIT_MS));
  }
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
 * work on the same network at once.
 */
export async function runImportCli(app: INestApplicationContext, file: string, options: ImportCliOptions): Promise<ImportCliOutcome> {
  const lock = await networkLock(app, options.network);
  try {
    const uploads = app.get(ImportUploads);
    let recordId: string;
    try {
      const upload = await uploads.store(createReadStream(file, { highWaterMark: 1024 * 1024 }));
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
        recordId = record.id;
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
    const progress = new ProgressReporter();
    const finished = await app.get(ImportProcessor).process(recordId, (p) => progress.update(p));
    progress.done();
    const report = importReportJson(finished);
    if (options.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else {
      const rejected = report.counts.rejected > 0 ? (await app.get(QueryBus).execute(new GetImportErrorsQuery(options.network, report.id, 0, SHOWN))).items : [];
      process.stdout.write(summary(report, rejected));
    }
    return { exitCode: report.status === 'completed' ? 0 : 1, report };
  } finally {
    await lock.release();
  }
}
