import { Query } from '@nestjs/cqrs';
import type { CsvDelimiter } from '../../domain/csv-record.js';
import type { ColumnMapping, RejectedLine } from '../ports/import-store.port.js';

export interface ImportErrorsPage {
  readonly columns: readonly ColumnMapping[];
  readonly delimiter: CsvDelimiter;
  readonly items: readonly RejectedLine[];
  /** The line to continue after, or null on the last page. */
  readonly nextAfterLine: number | null;
}

export class GetImportErrorsQuery extends Query<ImportErrorsPage> {
  constructor(
    readonly networkId: string,
    readonly importId: string,
    readonly afterLine: number,
    readonly limit: number,
  ) {
    super();
  }
}
