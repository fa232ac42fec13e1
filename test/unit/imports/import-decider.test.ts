/**
 * The import's own aggregate: it starts once, records batches strictly in order (a batch replayed after a crash
 * is refused rather than counted twice), sums their counts, and finishes once; a dry run says so on each event.
 */
import { EventUpcasters } from '../../../src/shared/application/event-upcasters.js';
import { IMPORT_EVENT_UPCASTERS } from '../../../src/modules/imports/application/import-event.upcasters.js';
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
  data: { importId: ID, batch, fromLine, throughLine, counts: c, dryRun: false },
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
      .then([{ type: 'ImportCompleted', data: { importId: ID, counts: counts({ rows: 5, created: 2, skipped: 1, updated: 1, deactivated: 1, rejected: 1 }), warnings: 2, dryRun: false } }]);
  });

  it('fails keeping what was applied', () => {
    spec.given([started, applied(1, 2, 4)]).when(fail).then([{ type: 'ImportFailed', data: { importId: ID, reason: 'broken', counts: counts({ rows: 1, created: 1 }), dryRun: false } }]);
  });

  it('a dry run says so on every event after its start: their counts are what it would have done', () => {
    const dry: ImportEvent = { type: 'ImportStarted', data: { ...startData, dryRun: true } };
    const batch = counts({ rows: 1, created: 1 });
    const dryApplied: ImportEvent = { type: 'ImportBatchApplied', data: { importId: ID, batch: 1, fromLine: 2, throughLine: 2, counts: batch, dryRun: true } };
    spec.given([dry]).when(record(1, 2, 2, batch)).then([dryApplied]);
    spec
      .given([dry, dryApplied])
      .when({ type: 'RecordManagerLinks', data: { made: 0, unknown: 1, cycles: 0, counts: zeroCounts() }, metadata: { now } })
      .then([{ type: 'ImportManagersLinked', data: { importId: ID, made: 0, unknown: 1, cycles: 0, counts: zeroCounts(), dryRun: true } }]);
    spec.given([dry, dryApplied]).when(complete).then([{ type: 'ImportCompleted', data: { importId: ID, counts: batch, warnings: 2, dryRun: true } }]);
    spec.given([dry, dryApplied]).when(fail).then([{ type: 'ImportFailed', data: { importId: ID, reason: 'broken', counts: batch, dryRun: true } }]);
  });

  it('finishes once; nothing is recorded after the end; nothing before the start', () => {
    const done: ImportEvent = { type: 'ImportCompleted', data: { importId: ID, counts: zeroCounts(), warnings: 0, dryRun: false } };
    spec.given([started, done]).when(complete).thenThrows('invalid-state');
    spec.given([started, done]).when(fail).thenThrows('invalid-state');
    spec.given([started, done]).when(record(1, 2, 3)).thenThrows('invalid-state');
    spec.given([]).when(record(1, 2, 3)).thenThrows('not-found');
    spec.given([]).when(complete).thenThrows('not-found');
  });
});

describe('import events of schema version 1', () => {
  const upcasters = new EventUpcasters(IMPORT_EVENT_UPCASTERS);

  it.each(['ImportBatchApplied', 'ImportManagersLinked', 'ImportCompleted', 'ImportFailed'])(
    '%s 1 reads as version 2 with dryRun null (not known from the event itself), the rest as stored',
    (type) => {
      const stored = { importId: ID, counts: counts({ rows: 1, created: 1 }) };
      expect(upcasters.upcast(type, 1, stored)).toEqual({ schemaVersion: 2, data: { ...stored, dryRun: null } });
      expect(upcasters.upcast(type, 2, { ...stored, dryRun: true })).toEqual({ schemaVersion: 2, data: { ...stored, dryRun: true } });
    },
  );

  it('ImportStarted, which always said, is read as stored', () => {
    expect(upcasters.upcast('ImportStarted', 1, startData)).toEqual({ schemaVersion: 1, data: startData });
  });
});
