import { Command } from '@nestjs/cqrs';
import type { ImportCountsData } from '../../domain/import.events.js';
import type { RejectedLine, ValidatedRow } from '../ports/import-store.port.js';

export interface ImportBatchOutcome {
  readonly counts: ImportCountsData;
  readonly throughLine: number;
}

/**
 * A line of the file as a batch takes it: a valid row (with the line that first had its e-mail, when one did), or a
 * line already rejected by the row rules.
 */
export type BatchLine =
  | { readonly kind: 'row'; readonly row: ValidatedRow; readonly duplicateOf?: number }
  | { readonly kind: 'rejected'; readonly rejected: RejectedLine };

export const lineNumberOf = (line: BatchLine): number => (line.kind === 'row' ? line.row.line : line.rejected.line);

/** One chunk of the file's lines, in file order, applied in one transaction through the event store and the users projection. */
export class ImportBatchCommand extends Command<ImportBatchOutcome> {
  constructor(
    readonly importId: string,
    readonly lines: readonly BatchLine[],
    /**
     * false: the network had no user but this import's when it started, so the lines' own e-mails need no look-up
     * (their managers still do). A user someone creates meanwhile makes the new row's insert fail on its e-mail,
     * and the batch is decided again looking up every line.
     */
    readonly lookUpEveryLine = true,
  ) {
    super();
  }
}
