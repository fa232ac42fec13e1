import { Command } from '@nestjs/cqrs';
import type { ImportCountsData } from '../../domain/import.events.js';
import type { ParsedLines } from '../ports/user-file-parser.port.js';

export interface ImportBatchOutcome {
  readonly counts: ImportCountsData;
  readonly throughLine: number;
}

/** One chunk of the file's lines, in file order, applied in one transaction through the event store and the users projection. */
export class ImportBatchCommand extends Command<ImportBatchOutcome> {
  constructor(
    readonly importId: string,
    readonly lines: ParsedLines,
    /** Lines of this chunk whose e-mail an earlier line of the file had: file line → that earlier line. */
    readonly duplicateOf: ReadonlyMap<number, number>,
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
