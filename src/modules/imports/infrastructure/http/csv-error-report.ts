import type { CsvDelimiter } from '../../domain/csv-record.js';
import { neutraliseFormula } from '../../domain/formula-cell.js';
import type { ColumnMapping, RejectedLine } from '../../application/ports/import-store.port.js';

function csvCell(value: string): string {
  return `"${neutraliseFormula(value).replace(/"/g, '""')}"`;
}

/** The heading line: the file's own headings, then where and why; with the file's own delimiter, as every line. */
export function errorCsvHeader(columns: readonly ColumnMapping[], delimiter: CsvDelimiter): string {
  return [...columns.map((c) => c.heading), 'line', 'error'].map(csvCell).join(delimiter) + '\r\n';
}

/** One rejected line with its original cells, ready to fix and upload again. */
export function errorCsvLine(columns: readonly ColumnMapping[], rejected: RejectedLine, delimiter: CsvDelimiter): string {
  const cells = columns.map((_, i) => rejected.fields[i] ?? '');
  return [...cells, String(rejected.line), rejected.error].map(csvCell).join(delimiter) + '\r\n';
}
