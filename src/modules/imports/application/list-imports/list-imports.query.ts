import { Query } from '@nestjs/cqrs';
import type { ImportPage } from '../ports/import-store.port.js';

export class ListImportsQuery extends Query<ImportPage> {
  constructor(
    readonly networkId: string,
    readonly after: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}
