import type { CommandContext } from '../../../shared/application/command-context.js';
import type { ImportState } from '../domain/import.decider.js';
import type { ImportRecord } from './ports/import-store.port.js';

/** The context of what an import writes on its own: the admin who started it, caused by the import. */
export function importCommandContext(record: ImportRecord): CommandContext {
  return {
    networkId: record.networkId,
    actor: { id: record.requestedBy.id, email: record.requestedBy.email ?? undefined },
    correlationId: record.correlationId,
    causationId: record.id,
    importId: record.id,
  };
}

/** The running import aggregate's state, as its record keeps it. */
export function runningImportState(record: ImportRecord): ImportState {
  return {
    status: 'started',
    importId: record.id,
    dryRun: record.dryRun,
    lastBatch: record.batches,
    throughLine: record.appliedThrough,
    counts: record.counts,
    linked: record.managersLinked,
  };
}

/**
 * The rows to expect, before the file has been read: its lines as counted at upload, the heading excepted. An upper
 * bound (blank lines and line breaks inside quotes count too), for progress; null when the count says nothing.
 */
export function estimatedRows(record: Pick<ImportRecord, 'fileLines'>): number | null {
  return record.fileLines > 1 ? record.fileLines - 1 : null;
}

/** The version of the import's own stream: ImportStarted, a batch event per batch, ImportManagersLinked once decided. */
export function importStreamVersion(record: ImportRecord): number {
  return 1 + record.batches + (record.managersLinked ? 1 : 0);
}
