import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../shared/infrastructure/config/app-config.js';
import { BulkLoader } from '../../shared/infrastructure/database/bulk-loader.js';
import { UsersModule } from '../users/users.module.js';
import { GetImportErrorsHandler } from './application/get-import-errors/get-import-errors.handler.js';
import { GetImportHandler } from './application/get-import/get-import.handler.js';
import { InviteImportedUsersHandler } from './application/invite-imported-users/invite-imported-users.handler.js';
import { ImportBatchHandler } from './application/import-batch/import-batch.handler.js';
import { IMPORT_SETTINGS, type ImportSettings } from './application/import-settings.js';
import { ListImportsHandler } from './application/list-imports/list-imports.handler.js';
import { ImportFileStorage } from './application/ports/import-file-storage.port.js';
import { DryRunUsers, ImportManagerLinks, ImportRejections, ImportRepository } from './application/ports/import-store.port.js';
import { DistributedLock } from './application/ports/network-lock.port.js';
import { SettledLines } from './application/ports/settled-lines.port.js';
import { SpilledEmails } from './application/ports/spilled-emails.port.js';
import { UserFileParser } from './application/ports/user-file-parser.port.js';
import { ImportProcessor } from './application/process-import/import-processor.js';
import { ManagerLinker } from './application/link-managers/manager-linker.js';
import { ImportUploads } from './application/start-import/import-uploads.js';
import { StartImportHandler } from './application/start-import/start-import.handler.js';
import { SweepImportFilesHandler } from './application/sweep-import-files/sweep-import-files.handler.js';
import { CsvUserFileParser } from './infrastructure/csv/csv-user-file.parser.js';
import { CancelImportHandler } from './application/cancel-import/cancel-import.handler.js';
import { ImportsHttpController } from './infrastructure/http/imports.http.controller.js';
import { PostgresImportFileStorage } from './infrastructure/persistence/postgres-import-file-storage.adapter.js';
import { PostgresManagerLinks } from './infrastructure/persistence/postgres-manager-links.adapter.js';
import { PostgresSettledLines } from './infrastructure/persistence/postgres-settled-lines.adapter.js';
import { PostgresSpilledEmails } from './infrastructure/persistence/postgres-spilled-emails.adapter.js';
import { TypeormImportStore } from './infrastructure/persistence/typeorm-import-store.adapter.js';
import { ImportMetrics } from './infrastructure/worker/import-metrics.js';
import { ImportWorker } from './infrastructure/worker/import.worker.js';
import { PostgresAdvisoryLock } from './infrastructure/worker/postgres-advisory-lock.adapter.js';

@Module({
  imports: [UsersModule],
  controllers: [ImportsHttpController],
  providers: [
    {
      provide: IMPORT_SETTINGS,
      useFactory: (config: AppConfig, bulk: BulkLoader): ImportSettings => ({ ...config.imports, batchesInFlight: bulk.copySupported ? 2 : 1 }),
      inject: [APP_CONFIG, BulkLoader],
    },
    TypeormImportStore,
    { provide: ImportRepository, useExisting: TypeormImportStore },
    { provide: ImportRejections, useExisting: TypeormImportStore },
    PostgresManagerLinks,
    { provide: ImportManagerLinks, useExisting: PostgresManagerLinks },
    { provide: DryRunUsers, useExisting: PostgresManagerLinks },
    { provide: SettledLines, useClass: PostgresSettledLines },
    { provide: SpilledEmails, useClass: PostgresSpilledEmails },
    { provide: ImportFileStorage, useClass: PostgresImportFileStorage },
    { provide: UserFileParser, useFactory: () => new CsvUserFileParser() },
    { provide: DistributedLock, useClass: PostgresAdvisoryLock },
    ImportUploads,
    ImportProcessor,
    ManagerLinker,
    ImportMetrics,
    ImportWorker,
    StartImportHandler,
    ImportBatchHandler,
    GetImportHandler,
    ListImportsHandler,
    GetImportErrorsHandler,
    InviteImportedUsersHandler,
    CancelImportHandler,
    SweepImportFilesHandler,
  ],
  exports: [ImportUploads, ImportProcessor, ImportRepository],
})
export class ImportsModule {}
