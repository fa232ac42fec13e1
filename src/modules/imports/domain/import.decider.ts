import { DomainError } from '../../../shared/domain/domain-error.js';
import { assertNever, type Decider } from '../../../shared/domain/event.js';
import type { ImportCommand } from './import.commands.js';
import { addCounts, type ImportCountsData, type ImportEvent, zeroCounts } from './import.events.js';

export type ImportState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'started' | 'completed' | 'failed';
      readonly importId: string;
      readonly dryRun: boolean;
      readonly lastBatch: number;
      readonly throughLine: number;
      readonly counts: ImportCountsData;
      /** The links that waited for the whole file are decided: no line can be applied any more. */
      readonly linked: boolean;
    };

export const initialImportState = (): ImportState => ({ status: 'absent' });

export function evolveImport(state: ImportState, event: ImportEvent): ImportState {
  switch (event.type) {
    case 'ImportStarted':
      return { status: 'started', importId: event.data.importId, dryRun: event.data.dryRun, lastBatch: 0, throughLine: 0, counts: zeroCounts(), linked: false };
    case 'ImportBatchApplied':
      return state.status === 'absent'
        ? state
        : { ...state, lastBatch: event.data.batch, throughLine: event.data.throughLine, counts: addCounts(state.counts, event.data.counts) };
    case 'ImportManagersLinked':
      return state.status === 'absent' ? state : { ...state, linked: true, counts: addCounts(state.counts, event.data.counts) };
    case 'ImportCompleted':
      return state.status === 'absent' ? state : { ...state, status: 'completed' };
    case 'ImportFailed':
      return state.status === 'absent' ? state : { ...state, status: 'failed' };
    default:
      return assertNever(event);
  }
}

function requireRunning(state: ImportState) {
  if (state.status === 'absent') throw new DomainError('not-found', 'This import does not exist.');
  if (state.status !== 'started') throw new DomainError('invalid-state', `This import has already ${state.status}.`);
  return state;
}

/** The import's own life: it starts once, records batches strictly in order, and finishes once. */
export function decideImport(command: ImportCommand, state: ImportState): ImportEvent[] {
  switch (command.type) {
    case 'StartImport':
      if (state.status !== 'absent') throw new DomainError('already-exists', 'This import has already started.');
      return [{ type: 'ImportStarted', data: command.data }];
    case 'RecordBatch': {
      const running = requireRunning(state);
      if (running.linked) throw new DomainError('invalid-state', 'The whole file has been applied; no batch can follow.');
      // A batch replayed after a crash must not count twice; one out of order means lost rows.
      if (command.data.batch !== running.lastBatch + 1 || command.data.fromLine <= running.throughLine) {
        throw new DomainError(
          'invalid-state',
          `Batch ${command.data.batch} does not follow batch ${running.lastBatch} (line ${running.throughLine}).`,
        );
      }
      return [{ type: 'ImportBatchApplied', data: { importId: running.importId, ...command.data, dryRun: running.dryRun } }];
    }
    case 'RecordManagerLinks': {
      const running = requireRunning(state);
      if (running.linked) throw new DomainError('invalid-state', 'The manager links of this import are already decided.');
      return [{ type: 'ImportManagersLinked', data: { importId: running.importId, ...command.data, dryRun: running.dryRun } }];
    }
    case 'CompleteImport': {
      const running = requireRunning(state);
      return [
        { type: 'ImportCompleted', data: { importId: running.importId, counts: running.counts, warnings: command.data.warnings, dryRun: running.dryRun } },
      ];
    }
    case 'FailImport': {
      const running = requireRunning(state);
      return [{ type: 'ImportFailed', data: { importId: running.importId, reason: command.data.reason, counts: running.counts, dryRun: running.dryRun } }];
    }
    default:
      return assertNever(command);
  }
}

export const importDecider: Decider<ImportState, ImportCommand, ImportEvent> = {
  initialState: initialImportState,
  evolve: evolveImport,
  decide: decideImport,
};
