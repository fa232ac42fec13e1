import type { ImportRecord } from '../ports/import-store.port.js';

/** Someone asked to cancel the import: the batch (or links) being written must not commit, and the import ends. */
export class ImportCancelledError extends Error {
  override readonly name = 'ImportCancelledError';

  constructor() {
    super('The import was cancelled.');
  }
}

/** The failure reason a cancelled import ends with: who cancelled it, and what of the file had been applied. */
export function cancelledReason(record: ImportRecord): string {
  const by = record.cancelRequestedBy ?? 'an admin';
  if (record.dryRun) return `Cancelled by ${by} ${dryRunProgress(record)}: it was a dry run, nothing was changed.`;
  if (record.counts.rows === 0) return `Cancelled by ${by} before any line was applied: nothing was changed.`;
  if (record.phase === 'queued' || record.phase === 'applying') {
    return `Cancelled by ${by} after line ${record.appliedThrough}: the lines up to it were applied (see the counts), the rest of the file was not.`;
  }
  return `Cancelled by ${by} once every line was applied: the manager links that waited for the whole file were not made.`;
}

/** How far a dry run got: it applies nothing, so its lines were only checked (the counts say what they would do). */
function dryRunProgress(record: ImportRecord): string {
  if (record.counts.rows === 0) return 'before any line was checked';
  if (record.phase === 'queued' || record.phase === 'applying') return `after line ${record.appliedThrough}`;
  return 'once every line was checked';
}
