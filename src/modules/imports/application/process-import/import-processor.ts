import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ConcurrencyConflictError, UniqueEmailViolationError } from '../../../../shared/application/application-errors.js';
import { envelope } from '../../../../shared/application/event-envelope.js';
import { Clock, IdGenerator } from '../../../../shared/application/ports/clock.port.js';
import { EventStore } from '../../../../shared/application/ports/event-store.port.js';
import { UnitOfWork } from '../../../../shared/application/ports/unit-of-work.port.js';
import { UserReadModel } from '../../../users/application/ports/user-read-model.port.js';
import { decideImport } from '../../domain/import.decider.js';
import { addCounts, IMPORT_EVENT_SCHEMA_VERSIONS, zeroCounts } from '../../domain/import.events.js';
import { type BatchTurn, type CreatedUser, ImportBatchCommand, type ImportBatchOutcome } from '../import-batch/import-batch.command.js';
import { estimatedRows, importCommandContext, importStreamVersion, runningImportState } from '../import-record.context.js';
import { IMPORT_SETTINGS, type ImportSettings } from '../import-settings.js';
import { ManagerLinker } from '../link-managers/manager-linker.js';
import { ImportFileStorage } from '../ports/import-file-storage.port.js';
import { ImportNotifications } from '../ports/import-notifications.port.js';
import { ImportManagerLinks, ImportRepository, type ImportRecord } from '../ports/import-store.port.js';
import { SpilledEmails } from '../ports/spilled-emails.port.js';
import { FileRefusedError, type ParsedLines, UserFileParser } from '../ports/user-file-parser.port.js';
import { NO_USERS_IN_FILE } from '../../domain/import-warnings.js';
import { EmailFingerprints } from './email-fingerprints.js';
import { cancelledReason, ImportCancelledError } from '../cancel-import/import-cancelled.error.js';

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
    private readonly spilled: SpilledEmails,
    private readonly events: EventStore,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Inject(IMPORT_SETTINGS) private readonly settings: ImportSettings,
  ) {}

  /** Batches written at once: two on a PostgreSQL server, one on the embedded database (one session). */
  get batchesInFlight(): number {
    return this.settings.batchesInFlight;
  }

  /**
   * `stop` ends the run between two committed batches (or links), with an AbortError: the import stays unfinished
   * and the next process() resumes it.
   */
  async process(importId: string, onProgress: (p: ImportProgress) => void = () => undefined, stop?: AbortSignal): Promise<ImportRecord> {
    let record = await this.require(importId);
    if (record.phase === 'done') return record;
    if (record.cancelRequestedBy !== null) {
      await this.cancelNow(importId);
      return this.require(importId);
    }
    try {
      if (record.phase === 'queued' || record.phase === 'applying') {
        if (!(await this.read(record, onProgress, stop))) return this.require(importId);
        record = await this.require(importId);
      }
      stop?.throwIfAborted();
      await this.linker.link(record, (done, total) => {
        stop?.throwIfAborted();
        onProgress({ phase: 'linking', done, total });
      });
      stop?.throwIfAborted();
      await this.finish(importId, 'completed');
    } catch (error) {
      if (error instanceof ImportCancelledError) await this.cancelNow(importId);
      else if (error instanceof FileRefusedError) await this.finish(importId, 'failed', error.message);
      // Cancelled while queued after this run read it: its file was deleted under the reader, not a failure.
      else if ((await this.require(importId)).phase !== 'done') throw error;
    }
    return this.require(importId);
  }

  /** Ends an import someone asked to cancel, keeping what it applied; the caller holds its network's import lock. */
  async cancelNow(importId: string): Promise<void> {
    await this.finish(importId, 'failed', cancelledReason);
  }

  /**
   * Ends a cancelled import that is still queued, without its network's import lock (another import of the network
   * may hold it for a long while): nothing of a queued import is being applied. Decided under the import's row lock,
   * which a worker's claim (beginApplying) also waits for: a claim that comes second finds the import ended, and a
   * claim that came first leaves it to stop at its first batch. False when it was no longer queued.
   */
  cancelQueued(importId: string): Promise<boolean> {
    return this.finish(importId, 'failed', cancelledReason, 'queued');
  }

  /**
   * Reads the file and applies its lines in batches as they are read. Up to `batchesInFlight` batches are written at
   * once, each in its own transaction, committing in file order (ImportBatch waits for the batch before); the file
   * is read meanwhile on its parsing thread. A resumed import reads the lines it applied before too (they tell which
   * e-mails came first) and applies the rest.
   */
  private async read(record: ImportRecord, onProgress: (p: ImportProgress) => void, stop: AbortSignal | undefined): Promise<boolean> {
    const parsed = await this.parser.open(this.storage.open(record.id), {
      maxRows: this.settings.maxRows,
      defaultPhoneRegion: this.settings.defaultPhoneRegion,
      linesPerRun: this.settings.batchSize,
      inBackground: true,
    });
    const batches = new BatchPipeline(this, record, onProgress);
    try {
      // False: it was cancelled while queued, since this run read it; there is nothing to apply.
      if (!(await this.imports.beginApplying(record.id, { columns: parsed.columns, delimiter: parsed.delimiter, warnings: parsed.warnings }, this.clock.now()))) return false;
      batches.lookUpEveryLine = await this.users.hasUsersNotCreatedBy(record.networkId, record.id);
      const seen = new EmailFingerprints(record.fileLines, this.settings.emailsInMemory);
      let lines = 0;
      for await (const run of parsed.lines) {
        // The batches in flight are left to commit (or not) by the finally below; a resumed import starts after them.
        stop?.throwIfAborted();
        // The e-mails of lines already applied (by an earlier attempt) count too: they came first.
        const duplicateOf = new Map<number, number>();
        const spilledKeys: string[] = [];
        const spilledLines: number[] = [];
        let skip = 0;
        for (let i = 0; i < run.count; i++) {
          const line = run.lineAt(i);
          if (line <= record.appliedThrough) skip = i + 1;
          const key = run.emailKeyAt(i);
          if (key === undefined) continue;
          const first = seen.add(key, line);
          if (first === EmailFingerprints.FULL) {
            spilledKeys.push(key);
            spilledLines.push(line);
          } else if (first !== 0) duplicateOf.set(line, first);
        }
        if (spilledKeys.length > 0) {
          const firsts = await this.spilled.firstLines(record.id, spilledKeys, spilledLines);
          for (let i = 0; i < firsts.length; i++) if (firsts[i] !== spilledLines[i]) duplicateOf.set(spilledLines[i], firsts[i]);
        }
        lines += run.count;
        if (skip < run.count) await batches.add(skip > 0 ? run.slice(skip) : run, duplicateOf);
      }
      await batches.finish();
      await this.imports.finishReading(record.id, lines, this.clock.now());
      return true;
    } finally {
      await batches.abandon();
      await parsed.close();
    }
  }

  /** Applies a batch in one ImportBatch: the pipeline's one door to the command bus. */
  applyBatch(importId: string, lines: ParsedLines, duplicateOf: ReadonlyMap<number, number>, turn: BatchTurn, lookUpEveryLine: boolean): Promise<ImportBatchOutcome> {
    return this.commands.execute(new ImportBatchCommand(importId, lines, duplicateOf, turn, lookUpEveryLine));
  }

  /**
   * Applies the lines alone (nothing else in flight), in as many transactions as it takes. A batch that lost a race
   * with an API edit is decided again on the new state; nothing of it was written. Users being edited all the time
   * could make a whole batch lose every race, so each retry takes half as many lines (the rest follow) after a short
   * random pause; one line loses only to an edit of that user. A user created meanwhile with a new line's e-mail
   * makes the batch, and every batch after it, look up every line.
   */
  async applyAlone(
    pipeline: BatchPipeline,
    importId: string,
    lines: ParsedLines,
    duplicateOf: ReadonlyMap<number, number>,
    afterLine: number,
  ): Promise<ImportBatchOutcome> {
    let rest = lines;
    let size = lines.count;
    const counts = zeroCounts();
    let throughLine = afterLine;
    for (let attempt = 1; rest.count > 0; ) {
      try {
        const part = size >= rest.count ? rest : rest.slice(0, size);
        const outcome = await this.applyBatch(importId, part, duplicateOf, { afterLine: throughLine, earlierCreated: NOBODY }, pipeline.lookUpEveryLine);
        Object.assign(counts, addCounts(counts, outcome.counts));
        throughLine = outcome.throughLine;
        rest = rest.slice(part.count);
      } catch (error) {
        const race = error instanceof ConcurrencyConflictError || error instanceof UniqueEmailViolationError;
        if (!race || attempt >= MAX_BATCH_ATTEMPTS) throw error;
        if (error instanceof UniqueEmailViolationError) pipeline.lookUpEveryLine = true;
        this.logger.warn({ importId, attempt, lines: size }, 'batch lost a race with another writer; retrying');
        attempt += 1;
        size = Math.ceil(size / 2);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(500, 5 * 2 ** attempt)));
      }
    }
    return { counts, throughLine };
  }

  /** Ends an import that cannot go on, keeping every batch already applied. */
  async giveUp(importId: string, reason: string): Promise<ImportRecord> {
    const record = await this.require(importId);
    if (record.phase !== 'done') await this.finish(importId, 'failed', reason);
    return this.require(importId);
  }

  /**
   * Ends the import unless it has ended already (another instance cancelled it), or is no longer in phase `onlyIn`;
   * true when it ended it. The reason may depend on the import as read under its row lock.
   */
  private async finish(
    importId: string,
    status: 'completed' | 'failed',
    reason?: string | ((record: ImportRecord) => string),
    onlyIn?: ImportRecord['phase'],
  ): Promise<boolean> {
    const now = this.clock.now();
    const lineWarnings = await this.links.warnings(importId, MAX_STORED_WARNINGS);
    const ended = await this.uow.transaction(async (tx) => {
      const record = (await this.imports.getById(importId, tx))!;
      if (record.phase === 'done' || (onlyIn !== undefined && record.phase !== onlyIn)) return false;
      const failureReason = typeof reason === 'function' ? reason(record) : reason;
      const ctx = importCommandContext(record);
      const state = runningImportState(record);
      const fileWarnings = status === 'completed' && record.counts.rows === 0 ? [...record.warnings, NO_USERS_IN_FILE] : record.warnings;
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
      await this.spilled.purge(tx, importId);
      return true;
    });
    if (!ended) return false;
    // A company directory is kept no longer than its import needs it (the report and the rejected lines are kept
    // apart). After the commit, as the storage may be outside the database: a process dying in between leaves
    // that one file behind.
    await this.storage.delete(importId);
    return true;
  }

  private async require(importId: string): Promise<ImportRecord> {
    const record = await this.imports.getById(importId);
    if (!record) throw new Error(`Import ${importId} does not exist`);
    return record;
  }
}

const NOBODY: ReadonlyMap<string, CreatedUser> = new Map();

interface InFlight {
  readonly lines: ParsedLines;
  readonly duplicateOf: ReadonlyMap<number, number>;
  /** Who the batch creates, once every line is decided; rejects if the batch fails before. */
  readonly decided: Promise<ReadonlyMap<string, CreatedUser>>;
  /** Once the batch holds the import's lock, or has ended. */
  readonly locked: Promise<void>;
  readonly outcome: Promise<ImportBatchOutcome>;
}

/**
 * The batches of one import being written, in file order: a new batch starts once the one before has decided its
 * lines (it needs to know whom that one creates), and at most `batchesInFlight` are in flight. When one fails, the
 * ones after it cannot commit (ImportBatch sees the gap): all of them are applied again, one at a time.
 */
class BatchPipeline {
  lookUpEveryLine = true;
  private readonly inFlight: InFlight[] = [];
  /** The line through which batches have committed, and through which they have been handed over. */
  private committedThrough: number;
  private handedThrough: number;
  private applied: number;

  constructor(
    private readonly processor: ImportProcessor,
    private readonly record: ImportRecord,
    private readonly onProgress: (p: ImportProgress) => void,
  ) {
    this.committedThrough = record.appliedThrough;
    this.handedThrough = record.appliedThrough;
    this.applied = record.appliedThrough > 0 ? record.counts.rows : 0;
  }

  async add(lines: ParsedLines, duplicateOf: ReadonlyMap<number, number>): Promise<void> {
    while (this.inFlight.length >= this.processor.batchesInFlight) await this.settleOldest();
    let earlierCreated = NOBODY;
    const previous = this.inFlight.at(-1);
    if (previous) {
      const created = await previous.decided.catch(() => undefined);
      if (created) earlierCreated = created;
      else while (this.inFlight.length > 0) await this.settleOldest();
    }
    let onDecided!: (created: ReadonlyMap<string, CreatedUser>) => void;
    let failed!: (error: unknown) => void;
    const decided = new Promise<ReadonlyMap<string, CreatedUser>>((resolve, reject) => {
      onDecided = resolve;
      failed = reject;
    });
    decided.catch(() => undefined);
    let onLocked!: () => void;
    const locked = new Promise<void>((resolve) => (onLocked = resolve));
    const turn = { afterLine: this.handedThrough, earlierCreated, onDecided, beforeLocking: previous?.locked, onLocked };
    const outcome = this.processor.applyBatch(this.record.id, lines, duplicateOf, turn, this.lookUpEveryLine);
    // Settled in order by settleOldest; marked handled so a failure meanwhile is not "unhandled". A batch that ends
    // without taking the lock lets the next one go on (to find the gap, if it failed).
    outcome.then(onLocked, (error: unknown) => {
      onLocked();
      failed(error);
    });
    this.inFlight.push({ lines, duplicateOf, decided, locked, outcome });
    this.handedThrough = lines.lineAt(lines.count - 1);
  }

  async finish(): Promise<void> {
    while (this.inFlight.length > 0) await this.settleOldest();
  }

  /** Lets what is in flight end (after a failure elsewhere), without applying anything more. */
  async abandon(): Promise<void> {
    await Promise.allSettled(this.inFlight.splice(0).map((b) => b.outcome));
  }

  private async settleOldest(): Promise<void> {
    try {
      this.done(await this.inFlight[0].outcome);
      this.inFlight.shift();
    } catch {
      const again = this.inFlight.splice(0);
      await Promise.allSettled(again.map((b) => b.outcome));
      for (const batch of again) {
        this.done(await this.processor.applyAlone(this, this.record.id, batch.lines, batch.duplicateOf, this.committedThrough));
      }
      this.handedThrough = this.committedThrough;
    }
  }

  private done(outcome: ImportBatchOutcome): void {
    this.committedThrough = outcome.throughLine;
    this.applied += outcome.counts.rows;
    this.onProgress({ phase: 'applying', done: this.applied, total: estimatedRows(this.record) });
  }
}
