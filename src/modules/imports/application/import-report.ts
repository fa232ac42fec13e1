import type { ImportCountsData, ImportMode } from '../domain/import.events.js';

export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';

/** What an admin is told about an import: the API's report, the CLI's --json output and the e-mail's data. */
export interface ImportReport {
  id: string;
  networkId: string;
  status: ImportStatus;
  mode: ImportMode;
  autoSendInvites: boolean;
  dryRun: boolean;
  fileName: string;
  sha256: string;
  counts: ImportCountsData;
  warnings: string[];
  /** Why the import failed, in words for the admin; present only when status is "failed". */
  failureReason?: string;
  startedAt: string | null;
  finishedAt: string | null;
}
