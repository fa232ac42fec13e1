import { Injectable } from '@nestjs/common';
import type { CsvReadItem } from '../../domain/csv-record.js';
import { mapHeaders } from '../../domain/header-mapping.js';
import { ImportFileRefusedError } from '../../domain/import-file-refused.error.js';
import { UserRowValidator } from '../../domain/user-row.validator.js';
import type { RejectedLine } from '../../application/ports/import-store.port.js';
import { FileRefusedError, type ParsedUserFile, type ParsedUserLine, UserFileParser } from '../../application/ports/user-file-parser.port.js';
import { readCsvUserFile } from './csv-user-file.reader.js';

function refusal(error: unknown): unknown {
  if (!(error instanceof ImportFileRefusedError)) return error;
  const reason = error.code === 'line-too-long' || error.code === 'unclosed-quote' ? 'unreadable' : error.code;
  return new FileRefusedError(reason, error.message, error.line);
}

/** The CSV reader and the row rules, as the application's UserFileParser. */
@Injectable()
export class CsvUserFileParser extends UserFileParser {
  async open(content: AsyncIterable<Uint8Array>, options: { maxRows: number; defaultPhoneRegion?: string }): Promise<ParsedUserFile> {
    const items = readCsvUserFile(content, { maxRows: options.maxRows })[Symbol.asyncIterator]();
    let first: IteratorResult<CsvReadItem>;
    try {
      first = await items.next();
    } catch (error) {
      throw refusal(error);
    }
    if (first.done || first.value.kind !== 'header') throw new FileRefusedError('empty-file', 'The file is empty: it needs a heading line and one line per user.');
    const mapped = mapHeaders(first.value.fields);
    if (!mapped.ok) throw new FileRefusedError(mapped.code, mapped.error, first.value.line);
    const validator = new UserRowValidator(mapped.mapping, { defaultRegion: options.defaultPhoneRegion });
    const columns = mapped.mapping.columns;
    const emailIndex = mapped.mapping.indexOf.email!;

    async function* lines(): AsyncGenerator<ParsedUserLine> {
      for (;;) {
        let next: IteratorResult<CsvReadItem>;
        try {
          next = await items.next();
        } catch (error) {
          throw refusal(error);
        }
        if (next.done) return;
        const item = next.value;
        if (item.kind === 'header') continue;
        if (item.kind === 'problem') {
          yield { kind: 'rejected', rejected: { line: item.line, email: null, error: item.error, field: null, fields: [] } };
          continue;
        }
        const result = validator.validate(item);
        if (result.ok) {
          const r = result.row;
          yield {
            kind: 'row',
            row: {
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
            },
          };
        } else {
          const rejected: RejectedLine = {
            line: item.line,
            email: result.rejection.email ?? (item.fields[emailIndex]?.trim() || null),
            error: result.rejection.error,
            field: result.rejection.field ?? null,
            fields: item.fields,
          };
          yield { kind: 'rejected', rejected };
        }
      }
    }

    return {
      columns,
      warnings: mapped.warnings,
      lines: lines(),
      close: async () => {
        await items.return?.();
      },
    };
  }
}
