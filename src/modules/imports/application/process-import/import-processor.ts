import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ConcurrencyConflictError } from '../../../../shared/application/application-errors.js';
import { envelope } from '../../../../shared/application/event-envelope.js';
import { Clock, IdGenerator } from '../../../../shared/application/ports/clock.port.js';
import { EventStore } from '../../../../shared/application/ports/event-store.port.js';
import { UnitOfWork } from '../../../../shared/application/ports/unit-of-work.port.js';
import { decideImport } from '../../domain/import.decider.js';
import { IMPORT_EVENT_SCHEMA_VERSIONS } from '../../domain/import.events.js';
import { ImportBatchCommand } from '../import-batch/import-batch.command.js';
import { importCommandContext, runningImportState } from '../import-record.context.js';
import { IMPORT_SETTINGS, type ImportSettings } from '../import-settings.js';
import { ImportFileStorage } from '../ports/import-file-storage.port.js';
import { ImportNotifications } from '../ports/import-notifications.port.js';
import { ImportRepository, ImportStaging, type ImportRecord, type LineToStage, type RowToStage, type StagedRowRecord } from '../ports/import-store.port.js';
import { FileRefusedError, UserFileParser } from '../ports/user-file-parser.port.js';
import { SeenEmailKeys } from './seen-email-keys.js';

export interface ImportProgress {
  readonly phase: 'staging' | 'applying';
  /** Lines read (staging) or applied (applying) so far. */
  readonly done: number;
  /** Lines to apply, once staging has counted them. */
  readonly total: number | null;
}

const STAGE_CHUNK = 5_000;
const MAX_BATCH_ATTEMPTS = 12;

/**
 * Marks whether a line's e-mail may have come before in the file, so the whole-file pass looks for duplicates
 * among those lines only. A line keeps its cells, for the error report, only if it can still be rejected once the
 * whole file is known: a repeated e-mail (a duplicate), or no name at all (rejected if the user is new). The
 * others cannot be; their cells were most of what staging wrote.
 */
function lineToStage(row: RowToStage, seen: SeenEmailKeys): LineToStage {
  const repeated = seen.add(row.emailKey);
  const nameless = row.name === undefined && row.firstName === undefined && row.lastName === undefined;
  return { row, repeated, keepCells: repeated || nameless };
}

/**
 * Runs one import to its end: stage the file's lines, resolve what needs the whole file, then apply the staged
 * lines batch after batch through ImportBatch. Every step is durable, so a process that dies mid-way resumes
 * from the last committed batch; the caller must hold the import's network lock.
 */
@Injectable()
export class ImportProcessor {
  private readonly logger = new Logger('imports');

  constructor(
    private readonly commands: CommandBus,
    private readonly imports: ImportRepository,
    private readonly staging: ImportStaging,
    private readonly storage: ImportFileStorage,
    private readonly parser: UserFileParser,
    private readonly notifications: ImportNotifications,
    private readonly events: EventStore,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Inject(IMPORT_SETTINGS) private readonly settings: ImportSettings,
  ) {}

  async process(importId: string, onProgress: (p: ImportProgress) => void = () => undefined): Promise<ImportRecord> {
    let record = await this.require(importId);
    if (record.phase === 'done') return record;
    try {
      if (record.phase === 'queued' || record.phase === 'staging') {
        await this.stage(record, onProgress);
        record = await this.require(importId);
      }
      await this.apply(record, onProgress);
      await this.finish(importId, 'completed');
    } catch (error) {
      if (!(error instanceof FileRefusedError)) throw error;
      await this.finish(importId, 'failed', error.message);
    }
    return this.require(importId);
  }

  /**
   * Reads the file into the staging area, one chunk loading while the next is parsed, then runs the whole-file
   * pass; the import moves on to applying in the same transaction that keeps the lines to apply.
   */
  private async stage(record: ImportRecord, onProgress: (p: ImportProgress) => void): Promise<void> {
    await this.imports.beginStaging(record.id, this.clock.now());
    const area = await this.staging.open(record.id);
    let loading: Promise<void> = Promise.resolve();
    try {
      const parsed = await this.parser.open(this.storage.open(record.id), {
        maxRows: this.settings.maxRows,
        defaultPhoneRegion: this.settings.defaultPhoneRegion,
      });
      let staged = 0;
      let rejectedLines = 0;
      // Each flush stores what was read since the last one, while the next lines are read.
      const flush = async (): Promise<void> => {
        await loading;
        loading = area.flush();
        // Awaited before the next flush or the pass; marked handled so a failure in between is not "unhandled".
        loading.catch(() => undefined);
      };
      const seen = new SeenEmailKeys();
      for await (const batch of parsed.lineBatches) {
        for (const line of batch) {
          if (line.kind === 'row') {
            area.add(lineToStage(line.row, seen));
            staged += 1;
          } else {
            area.reject(line.rejected);
            rejectedLines += 1;
          }
          if (area.pending >= STAGE_CHUNK) {
            await flush();
            onProgress({ phase: 'staging', done: staged + rejectedLines, total: null });
          }
        }
      }
      await flush();
      await loading;
      await area.resolve(record.networkId, record.mode, (tx, resolved) =>
        this.imports.finishStaging(tx, record.id, {
          columns: parsed.columns,
          warnings: [...parsed.warnings, ...resolved.warnings],
          warningCount: parsed.warnings.length + resolved.warningCount,
          rejectedLines,
          settled: resolved.settled,
          totalRows: staged + rejectedLines,
        }),
      );
    } finally {
      await loading.catch(() => undefined);
      await area.close();
    }
  }

  private async apply(record: ImportRecord, onProgress: (p: ImportProgress) => void): Promise<void> {
    let done = record.counts.rows;
    const total = record.totalRows;
    const fetch = (after: number) => {
      const rows = this.staging.batch(record.id, after, this.settings.batchSize);
      // Awaited in the next round; marked handled so a failure while this batch applies is not "unhandled".
      rows.catch(() => undefined);
      return { after, rows };
    };
    let next = fetch(record.appliedThrough);
    for (;;) {
      const rows = await next.rows;
      if (rows.length === 0) return;
      // The next batch is read while this one is applied.
      next = fetch(rows[rows.length - 1].line);
      const outcome = await this.applyBatch(record.id, rows);
      // A batch that lost races applies only its first rows: the next one starts where it stopped.
      if (outcome.throughLine !== next.after) next = fetch(outcome.throughLine);
      done += outcome.counts.rows;
      onProgress({ phase: 'applying', done, total });
    }
  }

  /**
   * A batch that lost a race with an API edit is re-decided on the new state; nothing of it was written. Users
   * being edited all the time could make a whole batch lose every race, so each retry takes half as many rows
   * (the rest come in the next batch) after a short random pause; one row loses only to an edit of that user.
   */
  private async applyBatch(importId: string, rows: readonly StagedRowRecord[]) {
    let size = rows.length;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.commands.execute(new ImportBatchCommand(importId, size === rows.length ? rows : rows.slice(0, size)));
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError) || attempt >= MAX_BATCH_ATTEMPTS) throw error;
        this.logger.warn({ importId, attempt, rows: size }, 'batch lost a race with another writer; retrying');
        size = Math.ceil(size / 2);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(500, 5 * 2 ** attempt)));
      }
    }
  }

  /** Ends an import that cannot go on, keeping every batch already applied. */
  async giveUp(importId: string, reason: string): Promise<void> {
    const record = await this.require(importId);
    if (record.phase !== 'done') await this.finish(importId, 'failed', reason);
  }

  private async finish(importId: string, status: 'completed' | 'failed', failureReason?: string): Promise<void> {
    const now = this.clock.now();
    await this.uow.transaction(async (tx) => {
      const record = (await this.imports.getById(importId, tx))!;
      const ctx = importCommandContext(record);
      const state = runningImportState(record);
      const events =
        status === 'completed'
          ? decideImport({ type: 'CompleteImport', data: { warnings: record.warningCount }, metadata: { now } }, state)
          : decideImport({ type: 'FailImport', data: { reason: failureReason ?? 'The import failed.' }, metadata: { now } }, state);
      await this.events.append(tx, [
        { streamType: 'import', streamId: importId, expectedVersion: 1 + record.batches, events: envelope(events, IMPORT_EVENT_SCHEMA_VERSIONS, ctx, now, this.ids) },
      ]);
      await this.imports.finish(tx, importId, { status, failureReason, now });
      const finished = (await this.imports.getById(importId, tx))!;
      await this.notifications.importFinished(tx, finished, { email: finished.notifyEmail ?? undefined });
      // With the end of the import, so no process dying in between can leave its staged rows behind.
      await this.staging.purge(tx, importId);
    });
  }

  private async require(importId: string): Promise<ImportRecord> {
    const record = await this.imports.getById(importId);
    if (!record) throw new Error(`Import ${importId} does not exist`);
    return record;
  }
}
