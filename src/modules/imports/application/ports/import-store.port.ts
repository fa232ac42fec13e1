import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import type { ImportCountsData, ImportMode } from '../../domain/import.events.js';
import type { ImportReport } from '../import-report.js';

/** How each heading of the file was understood: the user field it feeds, or null when it was ignored. */
export interface ColumnMapping {
  readonly heading: string;
  readonly field: string | null;
}

export interface ImportRecord extends ImportReport {
  readonly phase: 'queued' | 'staging' | 'applying' | 'done';
  readonly sizeBytes: number;
  readonly columns: readonly ColumnMapping[];
  readonly requestedBy: { readonly id: string; readonly email: string | null };
  readonly notifyEmail: string | null;
  readonly correlationId: string;
  readonly appliedThrough: number;
  readonly batches: number;
  /** Data lines in the file (blank lines aside), known once staging is done. */
  readonly totalRows: number;
  readonly warningCount: number;
  readonly createdAt: string;
}

export interface NewImport {
  readonly id: string;
  readonly networkId: string;
  readonly mode: ImportMode;
  readonly autoSendInvites: boolean;
  readonly dryRun: boolean;
  readonly fileName: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly requestedBy: { readonly id: string; readonly email: string | null };
  readonly notifyEmail: string | null;
  readonly correlationId: string;
  readonly createdAt: Date;
}

/** A validated line, as it is staged before the whole-file pass. */
export interface RowToStage {
  readonly line: number;
  readonly email: string;
  readonly emailKey: string;
  readonly name?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly title?: string;
  readonly mobile?: string;
  readonly managerKey?: string;
  readonly enabled: boolean | null;
  /** The line's cells as read from the file, for the error report should the line be rejected after staging. */
  readonly fields?: readonly string[];
}

/** A line to stage, with what reading the file so far tells about it. */
export interface LineToStage {
  readonly row: RowToStage;
  /**
   * false: no line before it has its e-mail, so the whole-file pass need not look for one. true: one may have
   * (the check may take two different e-mails for one, never one e-mail for two).
   */
  readonly repeated: boolean;
  /** Its cells are kept for the error report: it can still be rejected once the whole file is known. */
  readonly keepCells: boolean;
}

/** A line that was not applied, with what the admin needs to fix it: its cells in the file's column order. */
export interface RejectedLine {
  readonly line: number;
  readonly email: string | null;
  readonly error: string;
  readonly field: string | null;
  readonly fields: readonly string[];
}

/** A staged line after the whole-file pass, ready for the batch that applies it. */
export interface StagedRowRecord extends RowToStage {
  readonly userId: string;
  /** The whole-file pass found the user in the network. */
  readonly existing: boolean;
  readonly managerId: string | null;
  readonly managerEmail: string | null;
  readonly rejection: string | null;
}

export interface ImportPage {
  readonly items: ImportRecord[];
  readonly nextCursor: string | null;
}

/** What the whole-file pass found: warnings, and the lines it settled without a decision (no event for them). */
export interface ResolvedFile {
  readonly warnings: string[];
  readonly warningCount: number;
  readonly settled: { readonly skipped: number; readonly unchanged: number };
}

/** The import's report and job state (its read model), always within one network for reads. */
export abstract class ImportRepository {
  abstract create(tx: Transaction, record: NewImport): Promise<void>;
  abstract get(networkId: string, importId: string): Promise<ImportRecord | null>;
  abstract getById(importId: string, tx?: Transaction): Promise<ImportRecord | null>;
  abstract list(networkId: string, after: string | undefined, limit: number): Promise<ImportPage>;
  /** Imports still to do, oldest first: what a worker looks at to claim one. */
  abstract pending(): Promise<{ importId: string; networkId: string }[]>;
  /** Marks the import running and (re)starts staging from scratch, dropping what a crashed attempt staged. */
  abstract beginStaging(importId: string, now: Date): Promise<void>;
  abstract finishStaging(
    tx: Transaction,
    importId: string,
    outcome: {
      columns: readonly ColumnMapping[];
      warnings: readonly string[];
      warningCount: number;
      rejectedLines: number;
      settled: ResolvedFile['settled'];
      totalRows: number;
    },
  ): Promise<void>;
  abstract recordBatch(tx: Transaction, importId: string, batch: { counts: ImportCountsData; throughLine: number; now: Date }): Promise<void>;
  abstract finish(tx: Transaction, importId: string, outcome: { status: 'completed' | 'failed'; failureReason?: string; now: Date }): Promise<void>;
}

/**
 * Where the lines of a file wait for the whole-file pass. Used by the process reading the file only: when a
 * process dies while reading, the next attempt starts the area afresh (dropping what was left) and reads the file
 * again.
 */
export interface StagingArea {
  /** Takes a line at once (the area keeps what it stores, not the object); the next `flush` stores it. */
  add(line: LineToStage): void;
  /** Takes a line rejected while reading; the next `flush` stores it. */
  reject(line: RejectedLine): void;
  /** Lines taken since the last flush began. */
  readonly pending: number;
  /** Stores the lines taken so far. Lines taken while it runs go with the next flush; one flush at a time. */
  flush(): Promise<void>;
  /**
   * The whole-file pass: duplicate e-mails, ids for new users, managers resolved against the network and the file
   * (forward references included), self-management and cycles turned into warnings, and the lines that need no
   * decision settled (skipped, unchanged). The lines that need a decision are kept for ImportBatch, and
   * `andThen` runs in the same transaction with what the pass found.
   */
  resolve(networkId: string, mode: ImportMode, andThen: (tx: Transaction, resolved: ResolvedFile) => Promise<void>): Promise<void>;
  /** Drops the area; safe to call after a failure, and once resolved. */
  close(): Promise<void>;
}

/** The staged rows of an import and its rejected lines. Set-based: every method is a bounded number of statements. */
export abstract class ImportStaging {
  abstract open(importId: string): Promise<StagingArea>;
  abstract batch(importId: string, afterLine: number, limit: number): Promise<StagedRowRecord[]>;
  /** Applied lines (before `beforeLine`) whose manager was resolved to one of these ids: who named whom. */
  abstract managedBy(importId: string, managerIds: readonly string[], beforeLine: number): Promise<{ line: number; emailKey: string; managerId: string }[]>;
  abstract reject(tx: Transaction, importId: string, rejected: readonly RejectedLine[]): Promise<void>;
  abstract rejections(networkId: string, importId: string, afterLine: number, limit: number): Promise<RejectedLine[]>;
  /** Drops the staged rows of an import as it finishes; its rejected lines stay for the error report. */
  abstract purge(tx: Transaction, importId: string): Promise<void>;
}
