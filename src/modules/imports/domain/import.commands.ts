import type { DomainCommand } from '../../../shared/domain/event.js';
import type { ImportCountsData, ImportStarted } from './import.events.js';

export type StartImport = DomainCommand<'StartImport', ImportStarted['data']>;
export type RecordBatch = DomainCommand<
  'RecordBatch',
  { batch: number; fromLine: number; throughLine: number; counts: ImportCountsData }
>;
/** The links that waited for the whole file are decided; `counts` are the lines whose outcome waited on them. */
export type RecordManagerLinks = DomainCommand<'RecordManagerLinks', { made: number; unknown: number; cycles: number; counts: ImportCountsData }>;
export type CompleteImport = DomainCommand<'CompleteImport', { warnings: number }>;
export type FailImport = DomainCommand<'FailImport', { reason: string }>;

export type ImportCommand = StartImport | RecordBatch | RecordManagerLinks | CompleteImport | FailImport;
