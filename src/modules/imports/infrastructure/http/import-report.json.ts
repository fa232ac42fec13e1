import type { ImportReport } from '../../application/import-report.js';
import { estimatedRows } from '../../application/import-record.context.js';
import type { ImportRecord } from '../../application/ports/import-store.port.js';

/**
 * What a running import is doing: reading the file and applying its lines, then linking the managers that waited for
 * the whole file (lines naming a manager on a later line), which has no row count of its own to show.
 */
type ImportStage = 'reading' | 'linking-managers';

export type ImportReportJson = ImportReport & {
  warningCount: number;
  cancelledBy?: string;
  totalRows: number | null;
  estimatedRows: number | null;
  stage: ImportStage | null;
  invitationsRequested: { at: string; by: string } | null;
};

/** The report as the API and the CLI's --json show it: the report fields, none of the job's internals. */
export function importReportJson(r: ImportRecord): ImportReportJson {
  return {
    id: r.id,
    networkId: r.networkId,
    status: r.status,
    mode: r.mode,
    autoSendInvites: r.autoSendInvites,
    dryRun: r.dryRun,
    fileName: r.fileName,
    sha256: r.sha256,
    counts: r.counts,
    warnings: r.warnings,
    warningCount: r.warningCount,
    ...(r.failureReason ? { failureReason: r.failureReason } : {}),
    ...(r.status === 'failed' && r.cancelRequestedBy !== null ? { cancelledBy: r.cancelRequestedBy } : {}),
    totalRows: r.totalRows,
    estimatedRows: estimatedRows(r),
    stage: r.status !== 'running' ? null : r.phase === 'linking' ? 'linking-managers' : 'reading',
    invitationsRequested: r.invitationsRequested,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}
