import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ImportRepository, type ImportPage } from '../ports/import-store.port.js';
import { ListImportsQuery } from './list-imports.query.js';

@QueryHandler(ListImportsQuery)
export class ListImportsHandler implements IQueryHandler<ListImportsQuery, ImportPage> {
  constructor(private readonly imports: ImportRepository) {}

  execute({ networkId, after, limit }: ListImportsQuery): Promise<ImportPage> {
    return this.imports.list(networkId, after, limit);
  }
}
