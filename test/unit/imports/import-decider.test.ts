/**
 * The import's own aggregate: it starts once, records batches strictly in order (a batch replayed after a crash
 * is refused rather than counted twice), sums their counts, and finishes once.
 */
import { deciderSpec } from '../../support/decider-spec.js';
import { importDecider } from '../../../src/modules/imports/domain/import.decider.js';
import type { ImportCommand } from '../../../src/modules/imports/domain/import.commands.js';
import { zeroCounts, type ImportCountsData, type ImportEvent } from '../../../src/modules/imports/domain/import.events.js';

const spec = deciderSpec(importDecider);
const now = new Date('2026-11-25T10:00:00.000Z');
const ID = '44444444-4444-4444-8444-444444444444';

const startData = {
  importId: ID,
  networkId: 'acme',
  fileName: 'users.csv',
  sha256: 'ab'.repeat(32),
  sizeBytes: 100,
  mode: 'skip' as const,
  autoSendInvites: false,
  dryRun: false,
  requestedBy: { id: 'admin', email: 'admin@acme.example' },
};
const counts = (over: Partial<ImportCountsData>): ImportCountsData => ({ ...zeroCounts(), ...over });

const start: ImportCommand = { type: 'StartImport', data: startData, metadata: { now } };
const record = (batch: number, fromLine: number, throughLine: number, c = counts({ rows: 1, created: 1 })): ImportCommand => ({
  type: 'RecordBatch',
  data: { batch, fromLine, throughLine, counts: c },
  metadata: { now },
});
const complete: ImportCommand = { type: 'CompleteImport', data: { warnings: 2 }, metadata: { now } };
const fail: ImportCommand = { type: 'FailImport', data: { reason: 'broken' }, metadata: { now } };

const started: ImportEvent = { type: 'ImportStarted', data: startData };
const applied = (batch: number, fromLine: number, throughLine: number, c = counts({ rows: 1, created: 1 })): ImportEvent => ({
  type: 'ImportBatchApplied',
  data: { importId: ID, batch, fromLine, throughLine, counts: c },
});

describe('import decider', () => {
  it('starts once', () => {
    spec.given([]).when(start).then([started]);
    spec.given([started]).when(start).thenThrows('already-exists');
  });

  it('records the first batch, then the next one after its last line', () => {
    spec.given([started]).when(record(1, 2, 10)).then([applied(1, 2, 10)]);
    spec.given([started, applied(1, 2, 10)]).when(record(2, 11, 20)).then([applied(2, 11, 20)]);
  });

  it('refuses a batch replayed after a crash (same number, or lines already applied): no row counts twice', () => {
    spec.given([started, applied(1, 2, 10)]).when(record(1, 2, 10)).thenThrows('invalid-state');
    spec.given([started, applied(1, 2, 10)]).when(record(2, 10, 20)).thenThrows('invalid-state');
  });

  it('refuses a batch out of order: no row is lost', () => {
    spec.given([started, applied(1, 2, 10)]).when(record(3, 11, 20)).thenThrows('invalid-state');
    spec.given([started]).when(record(2, 2, 10)).thenThrows('invalid-state');
  });

  it('completes with the sum of its batches', () => {
    const c1 = counts({ rows: 3, created: 2, skipped: 1 });
    const c2 = counts({ rows: 2, updated: 1, deactivated: 1, rejected: 1 });
    spec
      .given([started, applied(1, 2, 4, c1), applied(2, 5, 6, c2)])
      .when(complete)
      .then([{ type: 'ImportCompleted', data: { importId: ID, counts: counts({ rows: 5, created: 2, skipped: 1, updated: 1, deactivated: 1, rejected: 1 }), warnings: 2 } }]);
  });

  it('fails keeping what was applied', () => {
    spec.given([started, applied(1, 2, 4)]).when(fail).then([{ type: 'ImportFailed', data: { importId: ID, reason: 'broken', counts: counts({ rows: 1, created: 1 }) } }]);
  });

  it('finishes once; nothing is recorded after the end; nothing before the start', () => {
    const done: ImportEvent = { type: 'ImportCompleted', data: { importId: ID, counts: zeroCounts(), warnings: 0 } };
    spec.given([started, done]).when(complete).thenThrows('invalid-state');
    spec.given([started, done]).when(fail).thenThrows('invalid-state');
    spec.given([started, done]).when(record(1, 2, 3)).thenThrows('invalid-state');
    spec.given([]).when(record(1, 2, 3)).thenThrows('not-found');
    spec.given([]).when(complete).thenThrows('not-found');
  });
});
