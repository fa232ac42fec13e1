import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../shared/application/ports/clock.port.js';
import { ImportFileStorage } from '../ports/import-file-storage.port.js';
import { ImportRepository } from '../ports/import-store.port.js';
import { SweepImportFilesCommand } from './sweep-import-files.command.js';

@CommandHandler(SweepImportFilesCommand)
export class SweepImportFilesHandler implements ICommandHandler<SweepImportFilesCommand, string[]> {
  constructor(
    private readonly storage: ImportFileStorage,
    private readonly imports: ImportRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ graceMs }: SweepImportFilesCommand): Promise<string[]> {
    const files = await this.storage.kept();
    if (files.length === 0) return [];
    const ended = await this.imports.endedOf(files.map((f) => f.importId));
    const before = this.clock.now().getTime() - graceMs;
    // An import that has not ended still needs its file, however old: it resumes from it.
    const leftovers = files.filter((f) => ended.get(f.importId) ?? f.storedAt.getTime() < before).map((f) => f.importId);
    for (const importId of leftovers) await this.storage.delete(importId);
    return leftovers;
  }
}
