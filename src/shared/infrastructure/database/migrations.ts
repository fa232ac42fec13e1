import { CreateEventStore1764057600000 } from './migrations/1764057600000-create-event-store.js';
import { StoreEventJsonAsWritten1764057600008 } from './migrations/1764057600008-store-event-json-as-written.js';
import { StreamIdsAsUuids1764057600010 } from './migrations/1764057600010-stream-ids-as-uuids.js';
import { EventMetadataOncePerCommand1764057600011 } from './migrations/1764057600011-event-metadata-once-per-command.js';
import { CreateCursorKey1764057600020 } from './migrations/1764057600020-create-cursor-key.js';
import { CreateUsersReadModel1764057600001 } from '../../../modules/users/infrastructure/persistence/1764057600001-create-users-read-model.js';
import { CreateImports1764057600002 } from '../../../modules/imports/infrastructure/persistence/1764057600002-create-imports.js';
import { AddImportRowCells1764057600003 } from '../../../modules/imports/infrastructure/persistence/1764057600003-add-import-row-cells.js';
import { AddImportRowOutcome1764057600004 } from '../../../modules/imports/infrastructure/persistence/1764057600004-add-import-row-outcome.js';
import { KeepOnlyUndecidedImportRows1764057600005 } from '../../../modules/imports/infrastructure/persistence/1764057600005-keep-only-undecided-import-rows.js';
import { StoreImportFilesUncompressed1764057600006 } from '../../../modules/imports/infrastructure/persistence/1764057600006-store-import-files-uncompressed.js';
import { ApplyImportsAsRead1764057600007 } from '../../../modules/imports/infrastructure/persistence/1764057600007-apply-imports-as-read.js';
import { DropUsersCreatedByImportIndex1764057600009 } from '../../../modules/users/infrastructure/persistence/1764057600009-drop-users-created-by-import-index.js';
import { AddImportFileLines1764057600012 } from '../../../modules/imports/infrastructure/persistence/1764057600012-add-import-file-lines.js';
import { AddImportSpilledEmails1764057600013 } from '../../../modules/imports/infrastructure/persistence/1764057600013-add-import-spilled-emails.js';
import { AddImportDelimiter1764057600014 } from '../../../modules/imports/infrastructure/persistence/1764057600014-add-import-delimiter.js';
import { AddManagerLinkNewUser1764057600015 } from '../../../modules/imports/infrastructure/persistence/1764057600015-add-manager-link-new-user.js';
import { DeleteFinishedImportFiles1764057600016 } from '../../../modules/imports/infrastructure/persistence/1764057600016-delete-finished-import-files.js';
import { AddImportCancelRequest1764057600017 } from '../../../modules/imports/infrastructure/persistence/1764057600017-add-import-cancel-request.js';
import { AddImportFileStoredAt1764057600018 } from '../../../modules/imports/infrastructure/persistence/1764057600018-add-import-file-stored-at.js';
import { TotalRowsNullUntilRead1764057600019 } from '../../../modules/imports/infrastructure/persistence/1764057600019-total-rows-null-until-read.js';
import { AddImportInvitationsRequested1764057600021 } from '../../../modules/imports/infrastructure/persistence/1764057600021-add-import-invitations-requested.js';
import { CreateEventRelayCheckpoints1764057600300 } from '../../../modules/messaging/infrastructure/persistence/1764057600300-create-event-relay-checkpoints.js';
import { CreateMailOutbox1764057600500 } from '../../../modules/notifications/infrastructure/persistence/1764057600500-create-mail-outbox.js';

/** Every migration, in order. Each module keeps its own next to its adapters; this list is the one place they meet. */
export const migrations = [
  CreateEventStore1764057600000,
  CreateUsersReadModel1764057600001,
  CreateImports1764057600002,
  AddImportRowCells1764057600003,
  AddImportRowOutcome1764057600004,
  KeepOnlyUndecidedImportRows1764057600005,
  StoreImportFilesUncompressed1764057600006,
  ApplyImportsAsRead1764057600007,
  StoreEventJsonAsWritten1764057600008,
  DropUsersCreatedByImportIndex1764057600009,
  StreamIdsAsUuids1764057600010,
  EventMetadataOncePerCommand1764057600011,
  AddImportFileLines1764057600012,
  AddImportSpilledEmails1764057600013,
  AddImportDelimiter1764057600014,
  AddManagerLinkNewUser1764057600015,
  DeleteFinishedImportFiles1764057600016,
  AddImportCancelRequest1764057600017,
  AddImportFileStoredAt1764057600018,
  TotalRowsNullUntilRead1764057600019,
  CreateCursorKey1764057600020,
  AddImportInvitationsRequested1764057600021,
  CreateEventRelayCheckpoints1764057600300,
  CreateMailOutbox1764057600500,
];
