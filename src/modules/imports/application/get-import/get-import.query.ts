import { Query } from '@nestjs/cqrs';
import type { ImportRecord } from '../ports/import-store.port.js';

export class GetImportQuery extends Query<ImportRecord> {
  constructor(
    readonly networkId: string,
    readonly importId: string,
  ) {
    super();
  }
}
