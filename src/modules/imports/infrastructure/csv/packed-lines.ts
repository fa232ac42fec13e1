import type { RejectedLine, ValidatedRow } from '../../application/ports/import-store.port.js';
import type { ParsedLines, ParsedUserLine } from '../../application/ports/user-file-parser.port.js';

const SEP = '\x1f';
const ESC = '\x1c';
const NEEDS_ESCAPE = /[\x1c\x1f]/g;
const ESCAPED = /\x1c([01])/g;

// A line is one string of fields joined by SEP, its kind first: R (a row) or X (rejected); r and x when its values
// hold SEP or ESC themselves and were escaped (ESC 0 for ESC, ESC 1 for SEP).
// R: email, emailKey, name, firstName, lastName, title, mobile, managerKey, enabled (T, F or empty), then the cells.
// X: email, error, field, then the cells. An empty field is an absent value: present ones are never empty.
const EMAIL_KEY = 2;
const MANAGER_KEY = 8;
const ROW_CELLS = 10;
const REJECTED_CELLS = 4;

const opt = (value: string): string | undefined => (value === '' ? undefined : value);

/** The parts of a run that cross threads: plain data a structured clone copies as it is. */
export interface PackedRun {
  readonly text: string;
  /** Where each line starts in `text`, and (last) where the last one ends. */
  readonly offsets: Int32Array;
  readonly lines: Int32Array;
}

/** Lines packed as one string per run with their offsets, so a whole run is a handful of objects until read. */
export class PackedLines implements ParsedLines {
  constructor(private readonly run: PackedRun) {}

  get count(): number {
    return this.run.lines.length;
  }

  lineAt(i: number): number {
    return this.run.lines[i];
  }

  emailKeyAt(i: number): string | undefined {
    return this.keyAt(i, EMAIL_KEY);
  }

  managerKeyAt(i: number): string | undefined {
    return this.keyAt(i, MANAGER_KEY);
  }

  read(i: number): ParsedUserLine {
    const { text, offsets } = this.run;
    const kind = text[offsets[i]];
    let f = text.slice(offsets[i], offsets[i + 1]).split(SEP);
    if (kind === 'r' || kind === 'x') f = f.map((v) => v.replace(ESCAPED, (_, d: string) => (d === '0' ? ESC : SEP)));
    const line = this.run.lines[i];
    if (kind === 'R' || kind === 'r') {
      const row: ValidatedRow = {
        line,
        email: f[1],
        emailKey: f[2],
        name: opt(f[3]),
        firstName: opt(f[4]),
        lastName: opt(f[5]),
        title: opt(f[6]),
        mobile: opt(f[7]),
        managerKey: opt(f[8]),
        enabled: f[9] === 'T' ? true : f[9] === 'F' ? false : null,
        fields: f.slice(ROW_CELLS),
      };
      return { kind: 'row', row };
    }
    const rejected: RejectedLine = { line, email: opt(f[1]) ?? null, error: f[2], field: opt(f[3]) ?? null, fields: f.slice(REJECTED_CELLS) };
    return { kind: 'rejected', rejected };
  }

  slice(start: number, end = this.count): ParsedLines {
    return new PackedLines({ text: this.run.text, offsets: this.run.offsets.subarray(start, end + 1), lines: this.run.lines.subarray(start, end) });
  }

  /** Field `n` of a row, found without splitting the line; undefined for a rejected line or an empty field. */
  private keyAt(i: number, n: typeof EMAIL_KEY | typeof MANAGER_KEY): string | undefined {
    const { text, offsets } = this.run;
    const kind = text[offsets[i]];
    if (kind === 'r') {
      const line = this.read(i);
      return line.kind === 'row' ? (n === EMAIL_KEY ? line.row.emailKey : line.row.managerKey) : undefined;
    }
    if (kind !== 'R') return undefined;
    let at = offsets[i];
    for (let k = 0; k < n; k++) at = text.indexOf(SEP, at) + 1;
    const end = text.indexOf(SEP, at);
    return opt(text.slice(at, end < 0 || end > offsets[i + 1] ? offsets[i + 1] : end));
  }
}

/** Packs lines as they are read; `take` hands over what was packed and starts afresh. */
export class PackedLinesBuilder {
  private parts: string[] = [];
  private lines: number[] = [];
  private chars = 0;

  get count(): number {
    return this.lines.length;
  }

  /** UTF-16 units packed so far. */
  get size(): number {
    return this.chars;
  }

  addRow(row: ValidatedRow): void {
    const escape = needsEscape(row.fields);
    const values = [
      row.email,
      row.emailKey,
      row.name ?? '',
      row.firstName ?? '',
      row.lastName ?? '',
      row.title ?? '',
      row.mobile ?? '',
      row.managerKey ?? '',
      row.enabled === true ? 'T' : row.enabled === false ? 'F' : '',
      ...row.fields,
    ];
    this.add(row.line, escape ? 'r' : 'R', values, escape);
  }

  addRejected(rejected: RejectedLine): void {
    const escape = needsEscape(rejected.fields) || needsEscape([rejected.email ?? '', rejected.error]);
    this.add(rejected.line, escape ? 'x' : 'X', [rejected.email ?? '', rejected.error, rejected.field ?? '', ...rejected.fields], escape);
  }

  take(): PackedRun {
    const offsets = new Int32Array(this.parts.length + 1);
    let at = 0;
    for (let i = 0; i < this.parts.length; i++) {
      offsets[i] = at;
      at += this.parts[i].length;
    }
    offsets[this.parts.length] = at;
    const run = { text: this.parts.join(''), offsets, lines: Int32Array.from(this.lines) };
    this.parts = [];
    this.lines = [];
    this.chars = 0;
    return run;
  }

  private add(line: number, kind: string, values: string[], escape: boolean): void {
    this.lines.push(line);
    const fields = escape ? values.map((v) => v.replace(NEEDS_ESCAPE, (c) => (c === ESC ? `${ESC}0` : `${ESC}1`))) : values;
    const packed = kind + SEP + fields.join(SEP);
    this.parts.push(packed);
    this.chars += packed.length;
  }
}

function needsEscape(values: readonly string[]): boolean {
  for (const v of values) if (v.indexOf(SEP) >= 0 || v.indexOf(ESC) >= 0) return true;
  return false;
}
