import type { Transaction } from '../../../../shared/application/ports/unit-of-work.port.js';
import type { CsvDelimiter } from '../../domain/csv-record.js';
import type { ImportCountsData, ImportMode } from '../../domain/import.events.js';
import type { ManagerLinkDecision, ManagerLinkGraph } from '../../domain/manager-links.js';
import type { ImportReport } from '../import-report.js';

/** How each heading of the file was understood: the user field it feeds, or null when it was ignored. */
export interface ColumnMapping {
  readonly heading: string;
  readonly field: string | null;
}

/** What an import's heading line said: its columns, its delimiter, and the warnings about its headings. */
export interface HeadingLine {
  readonly columns: readonly ColumnMapping[];
  readonly delimiter: CsvDelimiter;
  readonly warnings: readonly string[];
}

export interface ImportRecord extends ImportReport {
  /** queued → applying (reading the file and applying its lines batch by batch) → linking (the managers that had to wait for the whole file) → done. */
  readonly phase: 'queued' | 'applying' | 'linking' | 'done';
  readonly sizeBytes: number;
  /** The file's lines as counted at upload (line breaks): an upper bound on its rows, the heading included. */
  readonly fileLines: number;
  readonly columns: readonly ColumnMapping[];
  /** The file's delimiter, known once its heading line is read (a comma before then, and for imports of older versions). */
  readonly delimiter: CsvDelimiter;
  readonly requestedBy: { readonly id: string; readonly email: string | null };
  readonly notifyEmail: string | null;
  readonly correlationId: string;
  readonly appliedThrough: number;
  readonly batches: number;
  /** The links that waited for the whole file are decided (ImportManagersLinked is in the import's stream). */
  readonly managersLinked: boolean;
  /** Data lines in the file (blank lines aside), once the whole file has been read; null before, and for good when it never was. */
  readonly totalRows: number | null;
  readonly warningCount: number;
  readonly createdAt: string;
  /** Who asked to cancel the import (their e-mail, else their id) while it had not ended; null when nobody did. */
  readonly cancelRequestedBy: string | null;
  /** When an admin last had the users it created invited, and who (their e-mail, else their id); null when none did. */
  readonly invitationsRequested: { readonly at: string; readonly by: string } | null;
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
  readonly fileLines: number;
  readonly requestedBy: { readonly id: string; readonly email: string | null };
  readonly notifyEmail: string | null;
  readonly correlationId: string;
  readonly createdAt: Date;
}

/** A line of the file that passed the row rules, in domain values. */
export interface ValidatedRow {
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
  /** The line's cells as read from the file, for the error report should the line be rejected. */
  readonly fields: readonly string[];
}

/** A line that was not applied, with what the admin needs to fix it: its cells in the file's column order. */
export interface RejectedLine {
  readonly line: number;
  readonly email: string | null;
  readonly error: string;
  readonly field: string | null;
  readonly fields: readonly string[];
}

export interface ImportPage {
  readonly items: ImportRecord[];
  readonly nextCursor: string | null;
}

/** The import's report and job state (its read model), always within one network for reads. */
export abstract class ImportRepository {
  abstract create(tx: Transaction, record: NewImport): Promise<void>;
  abstract get(networkId: string, importId: string): Promise<ImportRecord | null>;
  abstract getById(importId: string, tx?: Transaction): Promise<ImportRecord | null>;
  abstract list(networkId: string, after: string | undefined, limit: number): Promise<ImportPage>;
  /** Imports still to do, the oldest of each network, oldest first: what a worker looks at to claim one. */
  abstract pending(): Promise<{ importId: string; networkId: string }[]>;
  /** Of these imports, the ones that exist, each with whether it has ended. */
  abstract endedOf(importIds: readonly string[]): Promise<Map<string, boolean>>;
  /**
   * Marks the import running (again, after a crash: it resumes after its last applied line), with its file's columns;
   * false when it has ended meanwhile (cancelled while queued), waiting for the row lock of a cancel ending it.
   */
  abstract beginApplying(importId: string, file: HeadingLine, now: Date): Promise<boolean>;
  /** Adds a batch's counts; its `warnings`, about the file as a whole, are each kept once however many batches give them. */
  abstract recordBatch(tx: Transaction, importId: string, batch: { counts: ImportCountsData; throughLine: number; now: Date; warnings: readonly string[] }): Promise<void>;
  /** Every line is applied: the import moves on to the managers that waited for the whole file. */
  abstract finishReading(importId: string, totalRows: number, now: Date): Promise<void>;
  /** Who gets the e-mail when the import ends (an operator resuming it from the CLI may name another admin). */
  abstract setNotifyEmail(importId: string, email: string): Promise<void>;
  /** Records a request to cancel the import unless it has ended (false then); a second request keeps the first. */
  abstract requestCancel(importId: string, by: string, now: Date): Promise<boolean>;
  /** Every user the import created has had an invitation requested, at `now`, by `by`. */
  abstract recordInvitationsRequested(importId: string, by: string, now: Date): Promise<void>;
  /** Counts the lines whose outcome waited for their manager's link. */
  abstract recordLinks(tx: Transaction, importId: string, counts: ImportCountsData, now: Date): Promise<void>;
  abstract finish(
    tx: Transaction,
    importId: string,
    outcome: { status: 'completed' | 'failed'; failureReason?: string; warnings: readonly string[]; warningCount: number; now: Date },
  ): Promise<void>;
}

/** The lines an import did not apply, for the error report. */
export abstract class ImportRejections {
  abstract reject(tx: Transaction, importId: string, rejected: readonly RejectedLine[]): Promise<void>;
  abstract rejections(networkId: string, importId: string, afterLine: number, limit: number): Promise<RejectedLine[]>;
}

/**
 * What a line says about its user's manager that the import settles only once it has read the whole file: a link
 * that waits (a manager not known yet, or a new manager for a user who already existed), or a warning.
 */
export interface ManagerNote {
  readonly line: number;
  /** The user the line is about: an existing user, or the one the line created. */
  readonly userId: string;
  /** The manager's e-mail as the line gives it, lower-cased (a cell that is no address: as written). */
  readonly managerKey: string;
  /** `self`: the line names its own user as manager (a warning, no link). */
  readonly kind: 'link' | 'self';
  /** The line creates the user: a link not made leaves them without a manager, not with the one they had. */
  readonly newUser: boolean;
  /** The line's outcome waits on the link: a user who existed and whom the line changes in nothing else. */
  readonly outcomePending: boolean;
}

/** A link decided to be made, ready to apply. */
export interface LinkToMake {
  readonly line: number;
  readonly userId: string;
  readonly managerId: string;
  readonly managerEmail: string;
}

/** The links that waited, as the graph their decision needs (see decideManagerLinks), with each link's line. */
export interface WaitingLinks {
  readonly graph: ManagerLinkGraph;
  readonly lines: Int32Array;
}

/** An import's manager notes. Set-based: every method is a bounded number of statements. */
export abstract class ImportManagerLinks {
  abstract note(tx: Transaction, importId: string, notes: readonly ManagerNote[]): Promise<void>;
  /**
   * The links not decided yet, their managers resolved by e-mail among the network's users (and a dry run's would-be
   * users); null when none waits. In the transaction that then stores their decisions.
   */
  abstract waiting(tx: Transaction, importId: string, networkId: string, dryRun: boolean): Promise<WaitingLinks | null>;
  /**
   * Stores the decisions of the links `waiting` gave, in the same transaction; returns how the lines whose outcome
   * waited come out (updated when their link is made, else unchanged).
   */
  abstract decide(tx: Transaction, importId: string, lines: Int32Array, decisions: readonly ManagerLinkDecision[]): Promise<ImportCountsData>;
  /** Links decided to be made and not applied yet, in line order. */
  abstract toMake(importId: string, afterLine: number, limit: number): Promise<LinkToMake[]>;
  abstract markMade(tx: Transaction, importId: string, lines: readonly number[]): Promise<void>;
  /** The warnings of the import's lines, in line order: the first `limit` word for word, and how many in all. */
  abstract warnings(importId: string, limit: number): Promise<{ warnings: string[]; count: number }>;
  /** Drops the import's notes (and a dry run's would-be users) as it finishes. */
  abstract purge(tx: Transaction, importId: string): Promise<void>;
}

/** A user a dry run would have created: what later lines of the same run need to name them as manager. */
export interface WouldBeUser {
  readonly userId: string;
  readonly email: string;
  readonly managerId: string | null;
}

/** The users a dry run would have created, kept so that its later batches see them as a real run sees its own. */
export abstract class DryRunUsers {
  abstract add(tx: Transaction, importId: string, users: readonly WouldBeUser[]): Promise<void>;
  abstract findByEmailKeys(importId: string, emailKeys: readonly string[]): Promise<Map<string, WouldBeUser>>;
}
