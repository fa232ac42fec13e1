export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';
export type ImportMode = 'skip' | 'update';

export interface ImportCounts {
  rows: number;
  created: number;
  updated: number;
  activated: number;
  deactivated: number;
  unchanged: number;
  skipped: number;
  rejected: number;
}

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
  counts: ImportCounts;
  warnings: string[];
  /** Why the import failed, in words for the admin; present only when status is "failed". */
  failureReason?: string;
  startedAt: string | null;
  finishedAt: string | null;
}
