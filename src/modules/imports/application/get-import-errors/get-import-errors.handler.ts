import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '../../../../shared/application/application-errors.js';
import { ImportRejections, ImportRepository } from '../ports/import-store.port.js';
import { GetImportErrorsQuery, type ImportErrorsPage } from './get-import-errors.query.js';

@QueryHandler(GetImportErrorsQuery)
export class GetImportErrorsHandler implements IQueryHandler<GetImportErrorsQuery, ImportErrorsPage> {
  constructor(
    private readonly imports: ImportRepository,
    private readonly rejections: ImportRejections,
  ) {}

  async execute({ networkId, importId, afterLine, limit }: GetImportErrorsQuery): Promise<ImportErrorsPage> {
    const record = await this.imports.get(networkId, importId);
    if (!record) throw new NotFoundError(`There is no import ${importId} in network ${networkId}.`);
    const items = await this.rejections.rejections(networkId, importId, afterLine, limit + 1);
    const page = items.slice(0, limit);
    return { columns: record.columns, delimiter: record.delimiter, items: page, nextAfterLine: items.length > limit ? page[page.length - 1].line : null };
  }
}
