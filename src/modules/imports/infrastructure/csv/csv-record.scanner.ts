import type { CsvDelimiter, CsvRecordProblem } from '../../domain/csv-record.js';
import { ImportFileRefusedError } from '../../domain/import-file-refused.error.js';
import { shortened } from '../../../../shared/domain/shortened.js';
import { BINARY_SAMPLE_CHARS, looksBinary, looksLikeBomlessUtf16, workbookFormat } from './binary-content.detector.js';
import { detectDelimiter, isTypographicQuote } from './delimiter.detector.js';

const LF = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;
const QUOTE = 34;
const AT = 64;

const NOT_QUOTED = 0;
const STRAIGHT = 1;
const TYPOGRAPHIC = 2;

/** Text written as RTF starts so; its markup around every line would read as headings and values. */
const RTF_SIGNATURE = '{\\rtf';

/** How much of a line a problem quotes. */
const QUOTED_LINE_CHARS = 60;
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * Typographic quotes of one record read again as text, at most: each reading scans the record once more, and a line
 * of nothing but quotes and delimiters must not take a scan per quote.
 */
const MAX_TEXT_QUOTES = 8;

/** scanRecord() ran out of text before it could tell where the record ends. */
const INCOMPLETE = -1;

/**
 * Excel's "sep=;" first line, which declares the delimiter (Excel writes it, and reads a file by it, where the
 * list separator of the admin's locale would otherwise split the columns).
 */
const DECLARED_DELIMITER = /^"?sep=([,;\t])"?[ \t]*(?:\r|\n)/i;

/**
 * The line of each record handed to csv-parser, and the problems found between them, in file order. The
 * scanner runs ahead of csv-parser, so the reader takes one entry per row csv-parser gives back.
 */
export class LineLedger {
  private entries: Array<number | CsvRecordProblem> = [];
  private head = 0;

  pushLine(line: number): void {
    this.entries.push(line);
  }

  pushProblem(problem: CsvRecordProblem): void {
    this.entries.push(problem);
  }

  shift(): number | CsvRecordProblem | undefined {
    if (this.head >= this.entries.length) return undefined;
    const entry = this.entries[this.head++];
    // Dropping consumed entries now and then keeps the array as small as what is in flight.
    if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return entry;
  }
}

export interface CsvRecordScannerOptions {
  /** A record (the line break ending it aside) longer than this, in UTF-8 bytes, is not read. */
  readonly maxRowBytes: number;
}

/**
 * The streaming stage before csv-parser. It cuts the decoded text into records (tracking physical line
 * numbers through quoted line breaks and blank lines), normalises what csv-parser would misread, and passes
 * on only whole, well-formed records, each ending in "\n":
 *
 * - Typographic quotes (“ ” „ ‟ ″ ‶) that open a field (after a delimiter, the line start, or blanks) and close
 *   it (followed by blanks then a delimiter or the line end) become '"'; a straight quote inside such a field
 *   is doubled. Blanks between a delimiter and an opening quote, or a closing quote and a delimiter, are
 *   dropped. So the guide's sample with “name”,”firstname”…, “TRUE” reads as its straight-quoted version. An
 *   opening quote is text, as Excel reads every typographic quote, when no quote closes its field on its line
 *   (“Chief” Officer), or when the field it would open holds a delimiter and the line's fields then do not add
 *   up („Jürgen“ Müller,…,“x”).
 * - A straight-quoted field whose closing quote is followed by text ("Bob" Smith) is the quoted text and then the
 *   rest, as Excel reads it, when its quoted part is on one line and, if it holds a delimiter, the rest of the field
 *   has no quote ("Smith, Bob" Jr).
 * - A straight quote inside an unquoted field (Robert "Bob" Smith, 5'11" tall) is text, as Excel reads it: the
 *   field is passed on quoted, its quotes doubled. A quote opening a field still opens a quoted field.
 * - Blank lines are dropped (their numbers still count); a lone CR ends a line like LF and CRLF.
 * - A first line "sep=;" (or "sep=," or "sep=<tab>"), which Excel reads as the delimiter, declares it; the
 *   header is then the next line. Otherwise the delimiter is detected from the header line.
 * - A record longer than maxRowBytes is never held whole: if it is one physical line, it is reported
 *   ("line 12 is longer than 64 KiB") and skipped up to its line break; if it already spans lines, a quote is
 *   open, and it is reported as such.
 * - A quote left open must not swallow the lines after it: a record that spans several lines yet does not
 *   have the header's number of fields, or whose quoted line breaks enclose a line (or the quoted part of
 *   one) with as many delimiters as the header and an @, or that reaches the end of the file inside quotes, is
 *   reported as "line 7: a quote is opened but never closed", and reading resumes on its second line.
 * - A data line with U+FFFD (bytes invalid in the encoding its BOM names, or undefined in Windows-1252) or a
 *   NUL (past the binary check's sample; PostgreSQL cannot store it) is reported rather than imported garbled.
 *
 * The first record is the header; file-level faults (binary content, an unreadable or missing header) throw
 * an ImportFileRefusedError.
 */
export class CsvRecordScanner {
  readonly ledger = new LineLedger();
  private readonly maxRowBytes: number;
  private pending = '';
  /** Physical line where `pending` starts. */
  private line = 1;
  private skipping = false;
  private started = false;
  private delimiterCode = 44;
  private detected: CsvDelimiter | undefined;
  private headerFields: number | undefined;
  private hasReplacementChars = false;
  private output = '';
  /** Pending length at which to scan again: see write(). */
  private scanAt = 0;
  /** The text and offset of the record being scanned, for a problem to quote its line. */
  private recordText = '';
  private recordStart = 0;
  /**
   * Typographic quotes at a field's start, as offsets from the record's start, that the record's scan found to
   * open nothing (no closing quote on their line: “Chief” Officer) and so reads as text.
   */
  private textQuotes: number[] = [];

  constructor(options: CsvRecordScannerOptions) {
    this.maxRowBytes = options.maxRowBytes;
  }

  /** Known once the header line has been seen. */
  get delimiter(): CsvDelimiter | undefined {
    return this.detected;
  }

  write(text: string): void {
    if (text.length === 0) return;
    this.pending = this.pending.length === 0 ? text : this.pending + text;
    // An unfinished record is scanned again from its start when text arrives; waiting until it has grown by half
    // (or 1 KiB) keeps that linear when a source trickles in tiny chunks.
    if (this.pending.length < this.scanAt) return;
    this.run(false);
    this.scanAt = this.pending.length === 0 ? 0 : this.pending.length + Math.max(1024, this.pending.length >> 1);
  }

  end(): void {
    this.run(true);
    if (this.headerFields === undefined) {
      throw new ImportFileRefusedError('empty-file', 'The file is empty: its first line must hold the column headings, e.g. "name","email/login".');
    }
  }

  /** The normalised records scanned so far, each ending in "\n", for csv-parser. */
  takeOutput(): string {
    const output = this.output;
    this.output = '';
    return output;
  }

  private run(final: boolean): void {
    if (!this.started && !this.start(final)) return;
    // NUL too: PostgreSQL cannot store it in text, so such a line is reported like an undecodable one.
    this.hasReplacementChars = this.pending.indexOf('\uFFFD') >= 0 || this.pending.indexOf('\u0000') >= 0;
    const text = this.pending;
    const len = text.length;
    let pos = 0;
    while (pos < len) {
      if (this.skipping) {
        const lineBreak = nextLineBreak(text, pos);
        if (lineBreak < 0) {
          pos = len;
          break;
        }
        // The break itself is then read as an empty record, which counts the line.
        this.skipping = false;
        pos = lineBreak;
        continue;
      }
      const next = this.scanRecord(text, pos, final);
      if (next === INCOMPLETE) break;
      this.textQuotes.length = 0;
      pos = next;
    }
    this.pending = pos === 0 ? text : text.slice(pos);
  }

  /** Refuses binary content and picks the delimiter from the header line; false while more text is needed. */
  private start(final: boolean): boolean {
    const text = this.pending;
    if (!final && text.length < BINARY_SAMPLE_CHARS) return false;
    const sample = text.slice(0, BINARY_SAMPLE_CHARS);
    if (looksBinary(sample)) {
      throw new ImportFileRefusedError('not-csv', binaryRefusal(sample));
    }
    if (sample.startsWith(RTF_SIGNATURE)) {
      throw new ImportFileRefusedError(
        'not-csv',
        'This file is an RTF document (what TextEdit saves by default), not plain text. In TextEdit, choose Format › Make Plain Text, save the file and upload it again.',
      );
    }
    const header = firstNonBlankLine(text, final);
    const declared = DECLARED_DELIMITER.exec(text);
    if (declared !== null) {
      // The line counts (the header is line 2) but is not passed on: skipped like an overlong line.
      this.detected = declared[1] as CsvDelimiter;
      this.skipping = true;
    } else if (header === undefined) {
      if (!final && utf8Length(text) <= this.maxRowBytes) return false;
      // Only blanks (the file will be refused as empty), or no line break within the limit (the header will be
      // refused as too long).
      this.detected = text.trim() === '' ? ',' : detectDelimiter(text.slice(0, this.maxRowBytes));
    } else {
      this.detected = detectDelimiter(text.slice(header.start, header.end));
    }
    this.delimiterCode = this.detected.charCodeAt(0);
    this.started = true;
    return true;
  }

  /**
   * Reads the record starting at `start`; returns where the next one starts, or INCOMPLETE. Rescanning a record
   * from its start when more text arrives keeps no state between chunks but `pending` and `line`.
   */
  private scanRecord(text: string, start: number, final: boolean): number {
    this.recordText = text;
    this.recordStart = start;
    const len = text.length;
    const delimiter = this.delimiterCode;
    const maxBytes = this.maxRowBytes;
    let bytes = 0;
    let fields = 1;
    let breaks = 0;
    let firstBreakEnd = -1;
    let quote = NOT_QUOTED;
    let atFieldStart = true;
    let afterClose = false;
    let blanksStart = -1;
    let fieldStart = start;
    // An unquoted field with a quote inside (Robert "Bob" Smith) is sent quoted, its quotes doubled: csv-parser
    // would otherwise open a quoted field there, where Excel reads the quote as text.
    let literalQuotes = false;
    let fieldQuoted = false;
    let typographicOpen = -1;
    let typographicHoldsDelimiter = false;
    // The first field in typographic quotes that held a delimiter: when the record's fields do not add up, its
    // opening quote is likelier text ("„Jürgen“ Müller,…,“x”"), and the record is read again with it as such.
    let delimiterInTypographic = -1;
    let blank = true;
    // A quoted line break swallowing what looks like a whole record (a line, or the part of one inside the
    // quotes, with as many delimiters as the header and an @, as every user's line has) means a stray quote, even
    // when the field count adds up. Without the @, it is a cell's own text over several lines ("Europe, Middle
    // East, Africa"), as spreadsheets write a cell with line breaks.
    const swallowThreshold = this.headerFields === undefined ? Infinity : Math.max(1, this.headerFields - 1);
    let segmentDelimiters = 0;
    let segmentHasAt = false;
    let spanHasBreak = false;
    let swallowed = false;
    // The normalised record is built from untouched slices of `text` and the replacements between them.
    let out = '';
    let copied = start;

    for (let i = start; i < len; i++) {
      const c = text.charCodeAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 || (c & 0xf800) === 0xd800 ? 2 : 3;
      // The line break that ends the record is not part of it: a line of exactly maxBytes is read.
      if (bytes > maxBytes && (quote !== NOT_QUOTED || (c !== LF && c !== CR))) return this.overflow(i, breaks, firstBreakEnd);

      if (quote !== NOT_QUOTED) {
        if (c === QUOTE) {
          if (i + 1 >= len && !final) return INCOMPLETE;
          if (i + 1 < len && text.charCodeAt(i + 1) === QUOTE) {
            i++;
            bytes++;
            continue;
          }
          if (quote === STRAIGHT) {
            if (spanHasBreak && segmentHasAt && segmentDelimiters >= swallowThreshold) swallowed = true;
            quote = NOT_QUOTED;
            // Text after the closing quote ("Bob" Smith, "Head" of "IT", "Smith, Bob" Jr): Excel reads the quoted
            // text and then the rest, quotes and all, so the field is passed on quoted as that, its closing quote
            // moved to its end. Only after a quoted part on one line, and, when it holds a delimiter, with no quote in
            // the rest ("Bob Ray,"bob@… is likelier a stray quote, for csv-parser's reading and the unclosed-quote check).
            if (!spanHasBreak) {
              const closes = this.closesField(text, i + 1, final);
              if (closes === INCOMPLETE) return INCOMPLETE;
              const plain = closes === 0 && segmentDelimiters > 0 ? this.noQuoteBeforeFieldEnd(text, i + 1, final) : 1;
              if (plain === INCOMPLETE) return INCOMPLETE;
              if (closes === 0 && plain === 1) {
                out += text.slice(copied, i);
                copied = i + 1;
                literalQuotes = true;
                fieldQuoted = false;
                continue;
              }
            }
            afterClose = true;
            continue;
          }
          const closes = this.closesField(text, i + 1, final);
          if (closes === INCOMPLETE) return INCOMPLETE;
          if (closes === 1) {
            quote = NOT_QUOTED;
            afterClose = true;
          } else {
            // Inside a typographic-quoted field a lone straight quote is text: double it for csv-parser.
            out += text.slice(copied, i + 1) + '"';
            copied = i + 1;
          }
          continue;
        }
        if (quote === TYPOGRAPHIC) {
          if (isTypographicQuote(c)) {
            const closes = this.closesField(text, i + 1, final);
            if (closes === INCOMPLETE) return INCOMPLETE;
            if (closes === 1) {
              out += text.slice(copied, i) + '"';
              copied = i + 1;
              quote = NOT_QUOTED;
              afterClose = true;
              if (typographicHoldsDelimiter && delimiterInTypographic < 0) delimiterInTypographic = typographicOpen;
            }
          } else if (c === delimiter) {
            typographicHoldsDelimiter = true;
          } else if (c === LF || c === CR) {
            if (this.textQuotes.length < MAX_TEXT_QUOTES) return this.readOpeningAsText(text, start, typographicOpen, final);
            const next = afterLineBreak(text, i, final);
            if (next === INCOMPLETE) return INCOMPLETE;
            return this.unclosed(this.line + breaks + 1, next);
          }
          continue;
        }
        if (c === delimiter) {
          segmentDelimiters++;
        } else if (c === AT) {
          segmentHasAt = true;
        } else if (c === LF || c === CR) {
          if (c === CR) {
            if (i + 1 >= len && !final) return INCOMPLETE;
            // CRLF counts once, at its LF.
            if (i + 1 < len && text.charCodeAt(i + 1) === LF) continue;
          }
          breaks++;
          if (firstBreakEnd < 0) firstBreakEnd = i + 1;
          if (segmentHasAt && segmentDelimiters >= swallowThreshold) swallowed = true;
          segmentDelimiters = 0;
          segmentHasAt = false;
          spanHasBreak = true;
        }
        continue;
      }

      if (c === delimiter) {
        if (afterClose && blanksStart >= 0) {
          out += text.slice(copied, blanksStart);
          copied = i;
        }
        if (literalQuotes) {
          out += text.slice(copied, i) + '"';
          copied = i;
          literalQuotes = false;
        }
        fieldStart = i + 1;
        fieldQuoted = false;
        fields++;
        atFieldStart = true;
        afterClose = false;
        blanksStart = -1;
        blank = false;
        continue;
      }
      if (c === LF || c === CR) {
        const next = afterLineBreak(text, i, final);
        if (next === INCOMPLETE) return INCOMPLETE;
        if (afterClose && blanksStart >= 0) {
          out += text.slice(copied, blanksStart);
          copied = i;
        }
        if (delimiterInTypographic >= 0 && this.headerFields !== undefined && fields !== this.headerFields && this.textQuotes.length < MAX_TEXT_QUOTES) {
          return this.readOpeningAsText(text, start, delimiterInTypographic, final);
        }
        const record = out + text.slice(copied, i) + (literalQuotes ? '"' : '');
        return this.finish(blank, record, fields, breaks, firstBreakEnd, next, swallowed);
      }
      if (c === SPACE || c === TAB) {
        if ((atFieldStart || afterClose) && blanksStart < 0) blanksStart = i;
        continue;
      }
      blank = false;
      if (c === QUOTE && !atFieldStart && !fieldQuoted) {
        if (!literalQuotes) {
          out += text.slice(copied, fieldStart) + '"';
          copied = fieldStart;
          literalQuotes = true;
        }
        out += text.slice(copied, i + 1) + '"';
        copied = i + 1;
        continue;
      }
      if (c === QUOTE) {
        if (atFieldStart && blanksStart >= 0) {
          out += text.slice(copied, blanksStart);
          copied = i;
        }
        // After a closed quote, like csv-parser, a straight quote opens quoting again, so both agree on where
        // records end.
        quote = STRAIGHT;
        fieldQuoted = true;
        segmentDelimiters = 0;
        segmentHasAt = false;
        spanHasBreak = false;
      } else if (atFieldStart && isTypographicQuote(c) && !this.textQuotes.includes(i - start)) {
        out += text.slice(copied, blanksStart >= 0 ? blanksStart : i) + '"';
        copied = i + 1;
        quote = TYPOGRAPHIC;
        typographicOpen = i;
        typographicHoldsDelimiter = false;
        fieldQuoted = true;
      }
      atFieldStart = false;
      afterClose = false;
      blanksStart = -1;
    }

    if (!final) return INCOMPLETE;
    if (quote === TYPOGRAPHIC && this.textQuotes.length < MAX_TEXT_QUOTES) return this.readOpeningAsText(text, start, typographicOpen, final);
    // The end of the file inside quotes: resume on the record's second line, if it has one.
    if (quote !== NOT_QUOTED) return this.unclosed(this.line + 1, breaks > 0 ? firstBreakEnd : len);
    if (afterClose && blanksStart >= 0) {
      out += text.slice(copied, blanksStart);
      copied = len;
    }
    if (delimiterInTypographic >= 0 && this.headerFields !== undefined && fields !== this.headerFields && this.textQuotes.length < MAX_TEXT_QUOTES) {
      return this.readOpeningAsText(text, start, delimiterInTypographic, final);
    }
    return this.finish(blank, out + text.slice(copied, len) + (literalQuotes ? '"' : ''), fields, breaks, firstBreakEnd, len, swallowed);
  }

  /** 1: no straight quote comes between `from` and the end of its field (a delimiter or the line end); 0: one does. */
  private noQuoteBeforeFieldEnd(text: string, from: number, final: boolean): number {
    for (let j = from; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === QUOTE) return 0;
      if (c === this.delimiterCode || c === LF || c === CR) return 1;
    }
    return final ? 1 : INCOMPLETE;
  }

  /** 1: a quote at `from - 1` closes its field (blanks, then a delimiter or the line end follow); 0: it does not. */
  private closesField(text: string, from: number, final: boolean): number {
    for (let j = from; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === SPACE || (c === TAB && this.delimiterCode !== TAB)) continue;
      return c === this.delimiterCode || c === LF || c === CR ? 1 : 0;
    }
    return final ? 1 : INCOMPLETE;
  }

  private finish(blank: boolean, record: string, fields: number, breaks: number, firstBreakEnd: number, next: number, swallowed: boolean): number {
    const line = this.line;
    if (blank && fields === 1) {
      this.line = line + 1;
      return next;
    }
    if (breaks > 0 && (fields !== this.headerFields || swallowed)) {
      // Most likely a stray quote: resume on the record's second line rather than lose every line it swallowed.
      this.reportUnclosed(line);
      this.line = line + 1;
      return firstBreakEnd;
    }
    this.line = line + breaks + 1;
    if (this.headerFields !== undefined && this.hasReplacementChars) {
      const error =
        record.indexOf('\uFFFD') >= 0
          ? `line ${line} has characters that cannot be read in the file's encoding; save the file as "CSV UTF-8" and upload it again`
          : record.indexOf('\u0000') >= 0
            ? `line ${line} holds a NUL character (a byte of binary data), which no value may hold; remove it`
            : undefined;
      if (error !== undefined) {
        this.ledger.pushProblem({ line, code: 'invalid-characters', error });
        return next;
      }
    }
    this.headerFields ??= fields;
    this.output += record;
    this.output += '\n';
    this.ledger.pushLine(line);
    return next;
  }

  /** A typographic quote that opened a field is text after all (see the class comment): the record is read again. */
  private readOpeningAsText(text: string, start: number, opening: number, final: boolean): number {
    this.textQuotes.push(opening - start);
    return this.scanRecord(text, start, final);
  }

  private unclosed(nextLine: number, next: number): number {
    this.reportUnclosed(this.line);
    this.line = nextLine;
    return next;
  }

  private overflow(at: number, breaks: number, firstBreakEnd: number): number {
    const line = this.line;
    const limit = formatBytes(this.maxRowBytes);
    if (this.headerFields === undefined) {
      throw new ImportFileRefusedError('line-too-long', `line ${line} (the column headings) is longer than ${limit}`, line);
    }
    if (breaks > 0) {
      this.ledger.pushProblem({
        line,
        code: 'unclosed-quote',
        error: `line ${line}: a quote is opened but never closed (the quoted text runs on for more than ${limit}); the line reads: ${this.recordLineStart()}`,
      });
      this.line = line + 1;
      return firstBreakEnd;
    }
    this.ledger.pushProblem({ line, code: 'line-too-long', error: `line ${line} is longer than ${limit}` });
    this.skipping = true;
    return at;
  }

  private reportUnclosed(line: number): void {
    if (this.headerFields === undefined) {
      throw new ImportFileRefusedError('unclosed-quote', `line ${line}: a quote in the column headings is opened but never closed`, line);
    }
    this.ledger.pushProblem({ line, code: 'unclosed-quote', error: `line ${line}: a quote is opened but never closed; the line reads: ${this.recordLineStart()}` });
  }

  /**
   * The start of the record's first line, to quote in a problem about it: a line that cannot be split has no cells
   * for the error report to give back, so the message shows the admin which line to look at.
   */
  private recordLineStart(): string {
    const end = nextLineBreak(this.recordText, this.recordStart);
    const physical = this.recordText.slice(this.recordStart, end < 0 ? this.recordText.length : end);
    const quoted = shortened(physical, QUOTED_LINE_CHARS);
    // A control character (a NUL above all) shows as nothing, or breaks what displays the message.
    return quoted.replace(CONTROL_CHARACTERS, '\uFFFD');
  }
}

/** Index after the line break at `i` (LF, CRLF or a lone CR), or INCOMPLETE when a CR ends the text so far. */
function afterLineBreak(text: string, i: number, final: boolean): number {
  if (text.charCodeAt(i) === LF) return i + 1;
  if (i + 1 < text.length) return text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
  return final ? i + 1 : INCOMPLETE;
}

function nextLineBreak(text: string, from: number): number {
  const lf = text.indexOf('\n', from);
  const cr = text.indexOf('\r', from);
  if (lf < 0) return cr;
  if (cr < 0) return lf;
  return Math.min(lf, cr);
}

/** The first line with something other than blanks, or undefined if none is complete yet. */
function firstNonBlankLine(text: string, final: boolean): { start: number; end: number } | undefined {
  let start = 0;
  while (start < text.length) {
    let end = nextLineBreak(text, start);
    if (end < 0) {
      if (!final) return undefined;
      end = text.length;
    }
    if (text.slice(start, end).trim() !== '') return { start, end };
    start = end + 1;
  }
  return undefined;
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** Why a binary file is refused, and how to save it as CSV: the admin's next step. */
function binaryRefusal(sample: string): string {
  switch (workbookFormat(sample)) {
    case 'excel':
      return 'This file is an Excel workbook, not a CSV file. In Excel, choose File › Save As, pick "CSV UTF-8 (Comma delimited) (*.csv)" and upload that file.';
    case 'word':
      return 'This file is a Word document, not a CSV file. Put the users in a spreadsheet, one per row under a heading row, then save it as "CSV UTF-8 (Comma delimited) (*.csv)" and upload that file.';
    case 'opendocument':
      return 'This file is an OpenDocument spreadsheet, not a CSV file. In LibreOffice, choose File › Save As, pick "Text CSV (.csv)" and upload that file.';
    case undefined:
      return looksLikeBomlessUtf16(sample)
        ? 'This file is UTF-16 text without the byte-order mark that tells it from binary data. Save the spreadsheet as "CSV UTF-8" and upload that file.'
        : 'This file is not a CSV text file: it contains binary data. Save or export the spreadsheet as "CSV" and upload that file.';
  }
}
