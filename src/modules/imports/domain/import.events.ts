import type { DomainEvent } from '../../../shared/domain/event.js';

export type ImportMode = 'skip' | 'update';

export interface ImportCountsData {
  rows: number;
  created: number;
  updated: number;
  activated: number;
  deactivated: number;
  unchanged: number;
  skipped: number;
  rejected: number;
}

export const zeroCounts = (): ImportCountsData => ({
  rows: 0,
  created: 0,
  updated: 0,
  activated: 0,
  deactivated: 0,
  unchanged: 0,
  skipped: 0,
  rejected: 0,
});

export function addCounts(a: ImportCountsData, b: ImportCountsData): ImportCountsData {
  return {
    rows: a.rows + b.rows,
    created: a.created + b.created,
    updated: a.updated + b.updated,
    activated: a.activated + b.activated,
    deactivated: a.deactivated + b.deactivated,
    unchanged: a.unchanged + b.unchanged,
    skipped: a.skipped + b.skipped,
    rejected: a.rejected + b.rejected,
  };
}

export type ImportStarted = DomainEvent<
  'ImportStarted',
  {
    importId: string;
    networkId: string;
    fileName: string;
    sha256: string;
    sizeBytes: number;
    mode: ImportMode;
    autoSendInvites: boolean;
    dryRun: boolean;
    requestedBy: { id: string; email: string | null };
  }
>;
/**
 * Whether the import is a dry run, whose counts are what it would have done (no user changed), repeated on each of
 * its events after ImportStarted so that a consumer who reads one of them alone does not take them for changes.
 * Schema version 2; version 1 did not say, and is upcast with null: not known from the event itself.
 */
export interface DryRunFlag {
  dryRun: boolean | null;
}

/**
 * One chunk of the file applied, with what it did. `throughLine` is the checkpoint: a resumed import continues
 * after it, so no row is applied twice.
 */
export type ImportBatchApplied = DomainEvent<
  'ImportBatchApplied',
  { importId: string; batch: number; fromLine: number; throughLine: number; counts: ImportCountsData } & DryRunFlag
>;
/**
 * The manager links that waited for the whole file (a manager named on a later line, or a new manager for a user
 * who existed) are decided: how many are made, how many name nobody, how many would close a cycle. `counts` are
 * the lines whose outcome waited on their link (updated when it is made, else unchanged).
 */
export type ImportManagersLinked = DomainEvent<
  'ImportManagersLinked',
  { importId: string; made: number; unknown: number; cycles: number; counts: ImportCountsData } & DryRunFlag
>;
export type ImportCompleted = DomainEvent<'ImportCompleted', { importId: string; counts: ImportCountsData; warnings: number } & DryRunFlag>;
export type ImportFailed = DomainEvent<'ImportFailed', { importId: string; reason: string; counts: ImportCountsData } & DryRunFlag>;

export type ImportEvent = ImportStarted | ImportBatchApplied | ImportManagersLinked | ImportCompleted | ImportFailed;

export const IMPORT_EVENT_SCHEMA_VERSIONS: Readonly<Record<ImportEvent['type'], number>> = {
  ImportStarted: 1,
  ImportBatchApplied: 2,
  ImportManagersLinked: 2,
  ImportCompleted: 2,
  ImportFailed: 2,
};
