import { Command } from '@nestjs/cqrs';
import type { ImportCountsData } from '../../domain/import.events.js';
import type { StagedRowRecord } from '../ports/import-store.port.js';

export interface ImportBatchOutcome {
  readonly counts: ImportCountsData;
  readonly throughLine: number;
}

/** One chunk of staged rows, applied in one transaction through the event store and the users projection. */
export class ImportBatchCommand extends Command<ImportBatchOutcome> {
  constructor(
    readonly importId: string,
    readonly rows: readonly StagedRowRecord[],
  ) {
    super();
  }
}
