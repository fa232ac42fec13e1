import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../../../shared/application/command-context.js';
import type { ImportMode } from '../../domain/import.events.js';
import type { ImportRecord } from '../ports/import-store.port.js';

/** A file already kept by ImportFileStorage under the import's id (see ImportUploads). */
export interface StoredUpload {
  readonly importId: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly lines: number;
}

export interface StartImportInput {
  readonly fileName: string;
  readonly upload: StoredUpload;
  readonly mode: ImportMode;
  readonly autoSendInvites: boolean;
  readonly dryRun: boolean;
  /** Who gets the result by e-mail; defaults to the admin's own address. */
  readonly notifyEmail?: string;
}

/** Checks an uploaded file can be imported at all, and queues the import. */
export class StartImportCommand extends Command<ImportRecord> {
  constructor(
    readonly context: CommandContext,
    readonly input: StartImportInput,
  ) {
    super();
  }
}
