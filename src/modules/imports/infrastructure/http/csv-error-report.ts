import type { ColumnMapping, RejectedLine } from '../../application/ports/import-store.port.js';

// A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading apostrophe (OWASP's advice).
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralise(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function csvCell(value: string): string {
  return `"${neutralise(value).replace(/"/g, '""')}"`;
}

/** The heading line: the file's own headings, then where and why. */
export function errorCsvHeader(columns: readonly ColumnMapping[]): string {
  return [...columns.map((c) => c.heading), 'line', 'error'].map(csvCell).join(',') + '\r\n';
}

/** One rejected line with its original cells, ready to fix and upload again. */
export function errorCsvLine(columns: readonly ColumnMapping[], rejected: RejectedLine): string {
  const cells = columns.map((_, i) => rejected.fields[i] ?? '');
  return [...cells, String(rejected.line), rejected.error].map(csvCell).join(',') + '\r\n';
}
