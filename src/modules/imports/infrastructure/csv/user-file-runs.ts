import { setImmediate } from 'node:timers/promises';
import type { CsvDelimiter, CsvReadItem } from '../../domain/csv-record.js';
import { headingsFurtherDown, mapHeaders } from '../../domain/header-mapping.js';
import { ImportFileRefusedError } from '../../domain/import-file-refused.error.js';
import { UserRowValidator } from '../../domain/user-row.validator.js';
import type { ColumnMapping } from '../../application/ports/import-store.port.js';
import { FileRefusedError } from '../../application/ports/user-file-parser.port.js';
import { readCsvUserFileBatches } from './csv-user-file.reader.js';
import { PackedLinesBuilder, type PackedRun } from './packed-lines.js';

export const DEFAULT_LINES_PER_RUN = 5_000;
/**
 * A run ends early past this much packed text (4 M UTF-16 units, 8 MB): lines of 64 KiB each would otherwise make a
 * run of 5,000 lines hundreds of megabytes.
 */
const MAX_RUN_CHARS = 4 * 1024 * 1024;

export interface RunOptions {
  readonly maxRows: number;
  readonly defaultPhoneRegion?: string;
  readonly linesPerRun?: number;
}

/** A file read up to its heading line: how its columns were understood, and its lines to come, packed in runs. */
export interface UserFileRuns {
  readonly columns: readonly ColumnMapping[];
  readonly delimiter: CsvDelimiter;
  readonly warnings: readonly string[];
  readonly runs: AsyncGenerator<PackedRun, void, undefined>;
  close(): Promise<void>;
}

function refusal(error: unknown): unknown {
  if (!(error instanceof ImportFileRefusedError)) return error;
  const reason = error.code === 'line-too-long' || error.code === 'unclosed-quote' ? 'unreadable' : error.code;
  return new FileRefusedError(reason, error.message, error.line);
}

/**
 * The CSV reader and the row rules over a whole file: the heading line is read (or the file refused with a
 * FileRefusedError) before this resolves; each data line then becomes a valid row or a rejected line, packed into
 * runs of `linesPerRun`. Used on the caller's thread, and on the parsing thread (csv-user-file.worker.ts).
 */
export async function readUserFileRuns(content: AsyncIterable<Uint8Array>, options: RunOptions): Promise<UserFileRuns> {
  const linesPerRun = options.linesPerRun ?? DEFAULT_LINES_PER_RUN;
  const batches = readCsvUserFileBatches(content, { maxRows: options.maxRows })[Symbol.asyncIterator]();
  /** The next batch of items, or undefined at the end. */
  const next = async (): Promise<readonly CsvReadItem[] | undefined> => {
    try {
      const result = await batches.next();
      return result.done ? undefined : result.value;
    } catch (error) {
      throw refusal(error);
    }
  };
  const first = await next();
  const header = first?.[0];
  if (header?.kind !== 'header') throw new FileRefusedError('empty-file', 'The file is empty: it needs a heading line and one line per user.');
  const records = (first ?? []).flatMap((item) => (item.kind === 'record' ? [item] : []));
  const mapped = mapHeaders(header.fields, records);
  if (!mapped.ok) {
    const headingsAt = mapped.code === 'missing-email-column' ? headingsFurtherDown(records) : undefined;
    if (headingsAt !== undefined) {
      const above = headingsAt - header.line === 1 ? `line ${header.line}` : `lines ${header.line}–${headingsAt - 1}`;
      throw new FileRefusedError(
        mapped.code,
        `The column headings must be on the first line, and line ${headingsAt} has them: delete ${above} above it and upload the file again.`,
        header.line,
      );
    }
    throw new FileRefusedError(mapped.code, mapped.error, header.line);
  }
  const validator = new UserRowValidator(mapped.mapping, { defaultRegion: options.defaultPhoneRegion });
  const emailIndex = mapped.mapping.indexOf.email!;

  const pack = (item: CsvReadItem, packed: PackedLinesBuilder): void => {
    if (item.kind === 'header') return;
    if (item.kind === 'problem') {
      packed.addRejected({ line: item.line, email: null, error: item.error, field: null, fields: [] });
      return;
    }
    const result = validator.validate(item);
    if (result.ok) {
      const r = result.row;
      packed.addRow({
        line: r.line,
        email: r.email,
        emailKey: r.emailKey,
        name: r.name,
        firstName: r.firstName,
        lastName: r.lastName,
        title: r.title,
        mobile: r.mobile,
        managerKey: r.managerEmailKey,
        enabled: r.enabled,
        fields: item.fields,
      });
      return;
    }
    packed.addRejected({
      line: item.line,
      email: result.rejection.email ?? (item.fields[emailIndex]?.trim() || null),
      error: result.rejection.error,
      field: result.rejection.field ?? null,
      fields: item.fields,
    });
  };

  async function* runs(): AsyncGenerator<PackedRun, void, undefined> {
    const packed = new PackedLinesBuilder();
    for (let items = first; items !== undefined; items = await next()) {
      for (const item of items) {
        pack(item, packed);
        if (packed.count >= linesPerRun || packed.size >= MAX_RUN_CHARS) yield packed.take();
      }
      // The reader runs on promise callbacks, which would otherwise go on until a whole run is read while the
      // replies its caller waits for (on this thread: the batch being written) queue behind it.
      await setImmediate();
    }
    if (packed.count > 0) yield packed.take();
  }

  return {
    columns: mapped.mapping.columns,
    delimiter: header.delimiter,
    warnings: mapped.warnings,
    runs: runs(),
    close: async () => {
      await batches.return?.();
    },
  };
}
