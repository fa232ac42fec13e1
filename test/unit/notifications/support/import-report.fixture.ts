import type { FinishedImportReport } from '../../../../src/modules/imports/application/ports/import-notifications.port.js';

export const PUBLIC_BASE_URL = 'https://chat.example.com';
export const NETWORK_ID = 'acme-corp';
export const IMPORT_ID = '0b6f4a8e-5d1c-4c36-9d0e-3f0f2f1c9a11';

/**
 * A completed import that created users without auto-send and rejected rows: every section of the mail shows.
 * `warningCount` defaults to the warnings given, as in an import with fewer than the report keeps.
 */
export function aCompletedImport(overrides: Partial<FinishedImportReport> = {}): FinishedImportReport {
  const report: Omit<FinishedImportReport, 'warningCount'> = {
    id: IMPORT_ID,
    networkId: NETWORK_ID,
    status: 'completed',
    mode: 'update',
    autoSendInvites: false,
    dryRun: false,
    fileName: 'staff-november.csv',
    sha256: 'c0ffee',
    counts: { rows: 120, created: 42, updated: 17, activated: 3, deactivated: 2, unchanged: 51, skipped: 0, rejected: 5 },
    warnings: ['Line 7: manager johnny_depp@yahoo.com is not a user of this network, and no line of this file created them (a rejected line, or one with Enabled FALSE, creates nobody); imported without a manager.'],
    startedAt: '2026-11-25T07:58:00.000Z',
    finishedAt: '2026-11-25T08:00:30.000Z',
    ...overrides,
  };
  return { ...report, warningCount: overrides.warningCount ?? report.warnings.length };
}

export function aFailedImport(overrides: Partial<FinishedImportReport> = {}): FinishedImportReport {
  return aCompletedImport({
    status: 'failed',
    counts: { rows: 0, created: 0, updated: 0, activated: 0, deactivated: 0, unchanged: 0, skipped: 0, rejected: 0 },
    warnings: [],
    failureReason: 'The file has no "email/login" column. The first line must hold the field headings.',
    ...overrides,
  });
}
