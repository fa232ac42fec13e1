import type { CsvDelimiter } from '../../domain/csv-record.js';
import type { ColumnMapping } from '../../application/ports/import-store.port.js';
import type { FileRefusalReason } from '../../application/ports/user-file-parser.port.js';
import type { PackedRun } from './packed-lines.js';
import type { RunOptions } from './user-file-runs.js';

/**
 * Messages between CsvUserFileParser and its parsing thread. The parent sends the file's bytes as the thread pulls
 * them (a piece per `pull`), so at most PIECES_AHEAD pieces wait there; the thread sends runs of packed lines, at
 * most RUNS_AHEAD before the parent has said it took one (`more`), so a slow writer holds back the reading.
 */
export const RUNS_AHEAD = 2;

/**
 * Pieces the thread asks for before it needs them: a piece is parsed in a few milliseconds, and with one asked for
 * at a time the thread waited for the parent's event loop between pieces (busy deciding a batch or collecting
 * garbage).
 */
export const PIECES_AHEAD = 8;

export interface ParserData {
  readonly options: RunOptions;
}

export type ToParser =
  | { readonly type: 'chunk'; readonly bytes: Uint8Array }
  | { readonly type: 'end' }
  | { readonly type: 'fail'; readonly message: string }
  | { readonly type: 'more' };

export type ToParent =
  | { readonly type: 'pull' }
  | { readonly type: 'header'; readonly columns: readonly ColumnMapping[]; readonly delimiter: CsvDelimiter; readonly warnings: readonly string[] }
  | { readonly type: 'refused'; readonly reason: FileRefusalReason; readonly message: string; readonly line?: number }
  | { readonly type: 'run'; readonly run: PackedRun }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly message: string; readonly stack?: string };
