import { Command } from '@nestjs/cqrs';
import type { ImportCountsData } from '../../domain/import.events.js';
import type { ParsedLines } from '../ports/user-file-parser.port.js';

export interface ImportBatchOutcome {
  readonly counts: ImportCountsData;
  readonly throughLine: number;
}

/** A user a batch created (or, in a dry run, would have): what a later line needs to name them as manager. */
export interface CreatedUser {
  readonly userId: string;
  readonly email: string;
}

/**
 * Where a batch stands among the import's batches. Two batches may be written at once, each in its own transaction:
 * the later one decides and writes its lines while the earlier one finishes, then waits for it to commit before
 * committing itself, so batches still commit in file order.
 */
export interface BatchTurn {
  /** The line through which the import must have been applied when this batch commits: the batch before's last. */
  readonly afterLine: number;
  /** The users the batch before created, not committed yet when this one decides: managers later lines may name. */
  readonly earlierCreated: ReadonlyMap<string, CreatedUser>;
  /** Told, by e-mail key, who this batch creates, as soon as every line is decided (the next batch may then start). */
  readonly onDecided?: (created: ReadonlyMap<string, CreatedUser>) => void;
  /**
   * Settles once the batch before holds the import's lock, or has ended: this one takes the lock only then, so it
   * queues behind that batch instead of taking the lock first, finding the gap, and failing (with both batches then
   * applied again, one at a time: 30 of a million-line import's 200 batches were).
   */
  readonly beforeLocking?: Promise<void>;
  /** Told once this batch holds the import's lock. */
  readonly onLocked?: () => void;
}

/** The batch before this one did not commit (it failed): this one, decided on what it would have created, must not. */
export class BatchOutOfTurnError extends Error {
  override readonly name = 'BatchOutOfTurnError';
}

/** One chunk of the file's lines, in file order, applied in one transaction through the event store and the users projection. */
export class ImportBatchCommand extends Command<ImportBatchOutcome> {
  constructor(
    readonly importId: string,
    readonly lines: ParsedLines,
    /** Lines of this chunk whose e-mail an earlier line of the file had: file line → that earlier line. */
    readonly duplicateOf: ReadonlyMap<number, number>,
    readonly turn: BatchTurn,
    /**
     * false: the network had no user but this import's when it started, so the lines' own e-mails need no look-up
     * (their managers still do). A user someone creates meanwhile makes the new row's insert fail on its e-mail
     * (UniqueEmailViolationError), and the batch must be decided again looking up every line.
     */
    readonly lookUpEveryLine = true,
  ) {
    super();
  }
}
