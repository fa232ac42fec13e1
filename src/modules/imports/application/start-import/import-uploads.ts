import { Inject, Injectable } from '@nestjs/common';
import { IdGenerator } from '../../../../shared/application/ports/clock.port.js';
import { IMPORT_SETTINGS, type ImportSettings } from '../import-settings.js';
import { ImportFileStorage } from '../ports/import-file-storage.port.js';
import type { StoredUpload } from './start-import.command.js';

/** Streams an uploaded file into storage under a new import id, refusing it past the size limit. */
@Injectable()
export class ImportUploads {
  constructor(
    private readonly storage: ImportFileStorage,
    private readonly ids: IdGenerator,
    @Inject(IMPORT_SETTINGS) private readonly settings: ImportSettings,
  ) {}

  async store(content: AsyncIterable<Uint8Array>): Promise<StoredUpload> {
    const importId = this.ids.newId();
    const stored = await this.storage.save(importId, content, this.settings.maxFileBytes);
    return { importId, ...stored };
  }

  async discard(upload: StoredUpload): Promise<void> {
    await this.storage.delete(upload.importId);
  }
}
