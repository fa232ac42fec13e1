import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ConcurrencyConflictError } from '../../../../shared/application/application-errors.js';
import { envelope } from '../../../../shared/application/event-envelope.js';
import { Clock, IdGenerator } from '../../../../shared/application/ports/clock.port.js';
import { EventStore } from '../../../../shared/application/ports/event-store.port.js';
import { UnitOfWork } from '../../../../shared/application/ports/unit-of-work.port.js';
import { UserReadModel } from '../../../users/application/ports/user-read-model.port.js';
import { decideImport } from '../../domain/import.decider.js';
import { IMPORT_EVENT_SCHEMA_VERSIONS } from '../../domain/import.events.js';
import { ImportBatchCommand } from '../import-batch/import-batch.command.js';
import { importCommandContext, importStreamVersion, runningImportState } from '../import-record.context.js';
import { IMPORT_SETTINGS, type ImportSettings } from '../import-settings.js';
import { ManagerLinker } from '../link-managers/manager-linker.js';
import { ImportFileStorage } from '../ports/import-file-storage.port.js';
import { ImportNotifications } from '../ports/import-notifications.port.js';
import { ImportManagerLinks, ImportRepository, type ImportRecord } from '../ports/import-store.port.js';
import { FileRefusedError, type ParsedLines, UserFileParser } from '../ports/user-file-parser.port.js';
import { EmailFingerprints } from './email-fingerprints.js';

export interface ImportProgress {
  readonly phase: 'applying' | 'linking';
  /** Lines applied, or links made, so far. */
  readonly done: number;
  /** Lines in the file (about: counted at upload), or links to make once they are decided; null when not known. */
  readonly total: number | null;
}

const MAX_BATCH_ATTEMPTS = 12;

/** Warnings kept word for word on the report; beyond this only their number is kept. */
export const MAX_STORED_WARNINGS = 1_000;

/**
 * Runs one import to its end: read the file and apply its lines batch after batch through ImportBatch as they are
 * read, then decide and make the manager links that had to wait for the whole file. Every batch is durable, so a
 * process that dies mid-way resumes after the last committed one; the caller must hold the import's network lock.
 */
@Injectable()
export class ImportProcessor {
  private readonly logger = new Logger('imports');

  constructor(
    private readonly commands: CommandBus,
    private readonly imports: ImportRepository,
    private readonly links: ImportManagerLinks,
    private readonly linker: ManagerLinker,
    private readonly users: UserReadModel,
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
      if (record.phase === 'queued' || record.phase === 'applying') {
        await this.read(record, onProgress);
        record = await this.require(importId);
      }
      await this.linker.link(record, (done, total) => onProgress({ phase: 'linking', done, total }));
      await this.finish(importId, 'completed');
    } catch (error) {
      if (!(error instanceof FileRefusedError)) throw error;
      await this.finish(importId, 'failed', error.message);
    }
    return this.require(importId);
  }

  /**
   * Reads the file and applies its lines in batches, the next batch read while the one before is written. A resumed
   * import reads the lines it applied before too (they tell which e-mails came first) and applies the rest.
   */
  private async read(record: ImportRecord, onProgress: (p: ImportProgress) => void): Promise<void> {
    const parsed = await this.parser.open(this.storage.open(record.id), {
      maxRows: this.settings.maxRows,
      defaultPhoneRegion: this.settings.defaultPhoneRegion,
      linesPerRun: this.settings.batchSize,
      inBackground: true,
    });
    let applying: Promise<void> = Promise.resolve();
    try {
      await this.imports.beginApplying(record.id, { columns: parsed.columns, warnings: parsed.warnings }, this.clock.now());
      const lookUpEveryLine = await this.users.hasUsersNotCreatedBy(record.networkId, record.id);
      const seen = new EmailFingerprints(record.fileLines);
      let lines = 0;
      let applied = record.appliedThrough > 0 ? record.counts.rows : 0;
      for await (const run of parsed.lines) {
        // The e-mails of lines already applied (by an earlier attempt) count too: they came first.
        const duplicateOf = new Map<number, number>();
        let skip = 0;
        for (let i = 0; i < run.count; i++) {
          const line = run.lineAt(i);
          if (line <= record.appliedThrough) skip = i + 1;
          const key = run.emailKeyAt(i);
          if (key === undefined) continue;
          const first = seen.add(key, line);
          if (first !== 0) duplicateOf.set(line, first);
        }
        lines += run.count;
        if (skip === run.count) continue;
        const batch = skip > 0 ? run.slice(skip) : run;
        // One batch is written while the next is read; a failure surfaces when the next batch is handed over.
        await applying;
        applying = this.applyBatch(record.id, batch, duplicateOf, lookUpEveryLine).then((rows) => {
          applied += rows;
          // The file's line count is an upper bound (quoted line breaks and blank lines are not rows): enough for an ETA.
          onProgress({ phase: 'applying', done: applied, total: record.fileLines > 1 ? record.fileLines - 1 : null });
        });
        applying.catch(() => undefined);
      }
      await applying;
      await this.imports.finishReading(record.id, lines, this.clock.now());
    } finally {
      await applying.catch(() => undefined);
      await parsed.close();
    }
  }

  /**
   * Applies the lines, in as many transactions as it takes. A batch that lost a race with an API edit is decided
   * again on the new state; nothing of it was written. Users being edited all the time could make a whole batch lose
   * every race, so each retry takes half as many lines (the rest follow) after a short random pause; one line loses
   * only to an edit of that user. Returns the lines counted.
   */
  private async applyBatch(importId: string, lines: ParsedLines, duplicateOf: ReadonlyMap<number, number>, lookUpEveryLine: boolean): Promise<number> {
    let rest = lines;
    let size = lines.count;
    let counted = 0;
    for (let attempt = 1; rest.count > 0; ) {
      try {
        const part = size >= rest.count ? rest : rest.slice(0, size);
        const outcome = await this.commands.execute(new ImportBatchCommand(importId, part, duplicateOf, lookUpEveryLine));
        counted += outcome.counts.rows;
        rest = rest.slice(part.count);
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError) || attempt >= MAX_BATCH_ATTEMPTS) throw error;
        this.logger.warn({ importId, attempt, lines: size }, 'batch lost a race with another writer; retrying');
        attempt += 1;
        size = Math.ceil(size / 2);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(500, 5 * 2 ** attempt)));
      }
    }
    return counted;
  }

  /** Ends an import that cannot go on, keeping every batch already applied. */
  async giveUp(importId: string, reason: string): Promise<void> {
    const record = await this.require(importId);
    if (record.phase !== 'done') await this.finish(importId, 'failed', reason);
  }

  private async finish(importId: string, status: 'completed' | 'failed', failureReason?: string): Promise<void> {
    const now = this.clock.now();
    const lineWarnings = await this.links.warnings(importId, MAX_STORED_WARNINGS);
    await this.uow.transaction(async (tx) => {
      const record = (await this.imports.getById(importId, tx))!;
      const ctx = importCommandContext(record);
      const state = runningImportState(record);
      const fileWarnings = record.warnings;
      const warningCount = fileWarnings.length + lineWarnings.count;
      const events =
        status === 'completed'
          ? decideImport({ type: 'CompleteImport', data: { warnings: warningCount }, metadata: { now } }, state)
          : decideImport({ type: 'FailImport', data: { reason: failureReason ?? 'The import failed.' }, metadata: { now } }, state);
      await this.events.append(tx, [
        { streamType: 'import', streamId: importId, expectedVersion: importStreamVersion(record), events: envelope(events, IMPORT_EVENT_SCHEMA_VERSIONS, ctx, now, this.ids) },
      ]);
      const warnings = [...fileWarnings, ...lineWarnings.warnings].slice(0, MAX_STORED_WARNINGS);
      await this.imports.finish(tx, importId, { status, failureReason, warnings, warningCount, now });
      const finished = (await this.imports.getById(importId, tx))!;
      await this.notifications.importFinished(tx, finished, { email: finished.notifyEmail ?? undefined });
      // With the end of the import, so no process dying in between can leave its notes behind.
      await this.links.purge(tx, importId);
    });
  }

  private async require(importId: string): Promise<ImportRecord> {
    const record = await this.imports.getById(importId);
    if (!record) throw new Error(`Import ${importId} does not exist`);
    return record;
  }
}
