import { Query } from '@nestjs/cqrs';
import type { ColumnMapping, RejectedLine } from '../ports/import-store.port.js';

export interface ImportErrorsPage {
  readonly columns: readonly ColumnMapping[];
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
