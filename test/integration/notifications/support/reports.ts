import { randomUUID } from 'node:crypto';
import type { FinishedImportReport } from '../../../../src/modules/imports/application/ports/import-notifications.port.js';

/** A completed import in a network of its own, so tests sharing the database never see each other's mail. */
export function aCompletedImportInItsOwnNetwork(overrides: Partial<FinishedImportReport> = {}): FinishedImportReport {
  return {
    id: randomUUID(),
    networkId: `net-${randomUUID()}`,
    status: 'completed',
    mode: 'skip',
    autoSendInvites: false,
    dryRun: false,
    fileName: 'staff.csv',
    sha256: 'c0ffee',
    counts: { rows: 10, created: 7, updated: 0, activated: 0, deactivated: 0, unchanged: 0, skipped: 2, rejected: 1 },
    warnings: ['Row 4: the mobile number (+91)12 is too short and was left empty'],
    warningCount: 1,
    startedAt: '2026-11-25T07:59:00.000Z',
    finishedAt: '2026-11-25T08:00:00.000Z',
    ...overrides,
  };
}
