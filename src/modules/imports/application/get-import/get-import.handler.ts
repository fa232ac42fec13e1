import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '../../../../shared/application/application-errors.js';
import { ImportRepository, type ImportRecord } from '../ports/import-store.port.js';
import { GetImportQuery } from './get-import.query.js';

@QueryHandler(GetImportQuery)
export class GetImportHandler implements IQueryHandler<GetImportQuery, ImportRecord> {
  constructor(private readonly imports: ImportRepository) {}

  async execute({ networkId, importId }: GetImportQuery): Promise<ImportRecord> {
    const record = await this.imports.get(networkId, importId);
    if (!record) throw new NotFoundError(`There is no import ${importId} in network ${networkId}.`);
    return record;
  }
}
