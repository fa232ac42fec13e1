import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { envelope } from '../../../../shared/application/event-envelope.js';
import { Clock, IdGenerator } from '../../../../shared/application/ports/clock.port.js';
import { EventStore } from '../../../../shared/application/ports/event-store.port.js';
import { UnitOfWork } from '../../../../shared/application/ports/unit-of-work.port.js';
import { decideImport } from '../../domain/import.decider.js';
import { IMPORT_EVENT_SCHEMA_VERSIONS } from '../../domain/import.events.js';
import { IMPORT_SETTINGS, type ImportSettings } from '../import-settings.js';
import { ImportFileStorage } from '../ports/import-file-storage.port.js';
import { ImportRepository, type ImportRecord } from '../ports/import-store.port.js';
import { UserFileParser } from '../ports/user-file-parser.port.js';
import { StartImportCommand, type StoredUpload } from './start-import.command.js';

@CommandHandler(StartImportCommand)
export class StartImportHandler implements ICommandHandler<StartImportCommand, ImportRecord> {
  constructor(
    private readonly storage: ImportFileStorage,
    private readonly parser: UserFileParser,
    private readonly imports: ImportRepository,
    private readonly events: EventStore,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Inject(IMPORT_SETTINGS) private readonly settings: ImportSettings,
  ) {}

  async execute({ context, input }: StartImportCommand): Promise<ImportRecord> {
    const { importId, ...stored } = input.upload;
    try {
      await this.checkImportable(input.upload);
    } catch (error) {
      await this.storage.delete(importId);
      throw error;
    }
    const now = this.clock.now();
    const requestedBy = { id: context.actor.id, email: context.actor.email ?? null };
    const started = decideImport(
      {
        type: 'StartImport',
        data: {
          importId,
          networkId: context.networkId,
          fileName: input.fileName,
          sha256: stored.sha256,
          sizeBytes: stored.sizeBytes,
          mode: input.mode,
          autoSendInvites: input.autoSendInvites,
          dryRun: input.dryRun,
          requestedBy,
        },
        metadata: { now },
      },
      { status: 'absent' },
    );
    await this.uow.transaction(async (tx) => {
      await this.events.append(tx, [
        {
          streamType: 'import',
          streamId: importId,
          expectedVersion: 0,
          events: envelope(started, IMPORT_EVENT_SCHEMA_VERSIONS, { ...context, importId }, now, this.ids),
        },
      ]);
      await this.imports.create(tx, {
        id: importId,
        networkId: context.networkId,
        mode: input.mode,
        autoSendInvites: input.autoSendInvites,
        dryRun: input.dryRun,
        fileName: input.fileName,
        sha256: stored.sha256,
        sizeBytes: stored.sizeBytes,
        fileLines: stored.lines,
        requestedBy,
        notifyEmail: input.notifyEmail ?? requestedBy.email,
        correlationId: context.correlationId,
        createdAt: now,
      });
    });
    return (await this.imports.getById(importId))!;
  }

  /**
   * Refuses, before anything is queued, a file that cannot be imported at all: not a CSV, no e-mail column, a
   * duplicated column, more rows than allowed. The heading line tells most of it; the rows are counted only when
   * the file may have more lines than the heading and the rows allowed (a row takes at least one line).
   */
  private async checkImportable(upload: StoredUpload): Promise<void> {
    const parsed = await this.parser.open(this.storage.open(upload.importId), {
      maxRows: this.settings.maxRows,
      defaultPhoneRegion: this.settings.defaultPhoneRegion,
    });
    if (upload.lines - 1 <= this.settings.maxRows) return parsed.close();
    for await (const run of parsed.lines) void run;
  }
}
