import { Injectable } from '@nestjs/common';
import type { CsvReadItem } from '../../domain/csv-record.js';
import { mapHeaders } from '../../domain/header-mapping.js';
import { ImportFileRefusedError } from '../../domain/import-file-refused.error.js';
import { UserRowValidator } from '../../domain/user-row.validator.js';
import type { RejectedLine } from '../../application/ports/import-store.port.js';
import { FileRefusedError, type ParsedUserFile, type ParsedUserLine, UserFileParser } from '../../application/ports/user-file-parser.port.js';
import { readCsvUserFileBatches } from './csv-user-file.reader.js';

function refusal(error: unknown): unknown {
  if (!(error instanceof ImportFileRefusedError)) return error;
  const reason = error.code === 'line-too-long' || error.code === 'unclosed-quote' ? 'unreadable' : error.code;
  return new FileRefusedError(reason, error.message, error.line);
}

/** The CSV reader and the row rules, as the application's UserFileParser. */
@Injectable()
export class CsvUserFileParser extends UserFileParser {
  async open(content: AsyncIterable<Uint8Array>, options: { maxRows: number; defaultPhoneRegion?: string }): Promise<ParsedUserFile> {
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
    const mapped = mapHeaders(header.fields);
    if (!mapped.ok) throw new FileRefusedError(mapped.code, mapped.error, header.line);
    const validator = new UserRowValidator(mapped.mapping, { defaultRegion: options.defaultPhoneRegion });
    const columns = mapped.mapping.columns;
    const emailIndex = mapped.mapping.indexOf.email!;

    const lineOf = (item: CsvReadItem): ParsedUserLine | undefined => {
      if (item.kind === 'header') return undefined;
      if (item.kind === 'problem') return { kind: 'rejected', rejected: { line: item.line, email: null, error: item.error, field: null, fields: [] } };
      const result = validator.validate(item);
      if (result.ok) {
        const r = result.row;
        return {
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
      }
      const rejected: RejectedLine = {
        line: item.line,
        email: result.rejection.email ?? (item.fields[emailIndex]?.trim() || null),
        error: result.rejection.error,
        field: result.rejection.field ?? null,
        fields: item.fields,
      };
      return { kind: 'rejected', rejected };
    };

    async function* lineBatches(): AsyncGenerator<readonly ParsedUserLine[]> {
      for (let items = first; items !== undefined; items = await next()) {
        const lines: ParsedUserLine[] = [];
        for (const item of items) {
          const line = lineOf(item);
          if (line) lines.push(line);
        }
        if (lines.length > 0) yield lines;
      }
    }

    return {
      columns,
      warnings: mapped.warnings,
      lineBatches: lineBatches(),
      close: async () => {
        await batches.return?.();
      },
    };
  }
}
