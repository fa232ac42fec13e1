import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { ImportFileRefusedError } from '../../domain/import-file-refused.error.js';

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | LegacyEncoding;

/**
 * The one-byte encodings spreadsheets save CSV in: Excel on Windows ("CSV"), Excel for Mac ("Comma Separated
 * Values") and Excel's "CSV (MS-DOS)" (code page 850), in the order a line is tried in them.
 */
type LegacyEncoding = 'windows-1252' | 'macintosh' | 'cp850';
const LEGACY_ENCODINGS: readonly LegacyEncoding[] = ['windows-1252', 'macintosh', 'cp850'];

/**
 * What a line read in the wrong one-byte encoding shows and a directory's names do not: a control character or an
 * undefined byte; a capital inside a lower-case word ("JosŽ", "MŸller" for Mac Roman read as Windows-1252, "RenÈe"
 * for the reverse); a symbol or a quote between two lower-case letters ("Mart“n", "M¸ller"). An apostrophe or a
 * dash between letters is not one ("O’Brien", "sales–marketing"), although Mac Roman's "í" and "ñ" are those bytes
 * in Windows-1252: garbling a Windows-1252 title would be worse than missing a Mac Roman line, which its other
 * letters or the lines before it usually tell.
 */
const MISREAD = /[\u0080-\u009f\ufffd]|\p{Ll}(?=[^\0-\x7f])\p{Lu}|\p{L}(?=[^\0-\x7f])\p{Lu}\p{Ll}|\p{Ll}(?![’‘\p{Pd}])(?=[^\0-\x7f])[\p{S}\p{Lm}\p{P}]\p{Ll}/u;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Longest piece of a line held back while waiting for its line break. A longer line is decoded in pieces (the
 * scanner rejects it anyway), so a file without line breaks is never held whole.
 */
export const LINE_PIECE_BYTES = 64 * 1024;

export function encodingFromBom(bytes: Uint8Array): { encoding: CsvEncoding; bomLength: number } | undefined {
  refuseUtf32(bytes);
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  return undefined;
}

/**
 * UTF-32's byte-order marks (FF FE 00 00, 00 00 FE FF): the first one would otherwise read as UTF-16's, and the file
 * be refused as UTF-16 text without its mark, which it is not. No spreadsheet saves CSV in UTF-32; some editors do.
 */
function refuseUtf32(bytes: Uint8Array): void {
  if (bytes.length < 4) return;
  const le = bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0;
  const be = bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff;
  if (le || be) {
    throw new ImportFileRefusedError('not-csv', 'This file is UTF-32 text, which an import does not read. Save it as "CSV UTF-8" (or UTF-8 text) and upload that file.');
  }
}

/**
 * Decodes the uploaded bytes incrementally:
 * - a BOM names the encoding (UTF-8, UTF-16 LE or UTF-16 BE) for the whole file; bytes invalid in it come out as
 *   U+FFFD, which the scanner reports on their line. UTF-16 needs its BOM: without one its NUL bytes make the file
 *   look binary and it is refused;
 * - without a BOM, each line is read as UTF-8 when its bytes are valid UTF-8, and in a one-byte encoding otherwise
 *   (their accented letters are lone high bytes, which UTF-8 never has; the reverse, a Windows-1252 line that
 *   happens to be valid UTF-8, takes an accented capital followed by a symbol such as "Ã©", which no directory's
 *   names have). So a file put together from a UTF-8 export and a spreadsheet's Windows-1252 one reads right line by
 *   line, where a decision for the whole file would garble every accented name of one of them;
 * - the one-byte encoding is Windows-1252 until a line reads as MISREAD in it and not in Mac Roman or, failing
 *   that, code page 850 ("Jos‚ Garc¡a" in Windows-1252), and so on from the one in use: the file's later lines keep
 *   the encoding that read right, as their accents may be ones that read plausibly in several ("Jörg" is "Jšrg" in
 *   Windows-1252).
 *   CR and LF are the same byte in all of them and never inside a character, so lines are found before decoding.
 */
export class CsvTextDecoder {
  private readBom = false;
  private declared: iconv.DecoderStream | undefined;
  /** Bytes after the last line break seen: the line is decoded once it is whole. */
  private held: Buffer[] = [];
  private heldLength = 0;
  private legacy: LegacyEncoding = 'windows-1252';

  write(chunk: Uint8Array): string {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('CsvTextDecoder reads bytes: do not set an encoding on the source stream');
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (bytes.length === 0) return '';
    if (this.declared !== undefined) return this.declared.write(bytes);
    const lastBreak = lastLineBreak(bytes);
    // Nothing to decode yet: held without copying, so a line arriving a byte at a time stays linear.
    if ((!this.readBom && this.heldLength + bytes.length < 4) || (lastBreak < 0 && this.heldLength + bytes.length <= LINE_PIECE_BYTES)) {
      this.hold(bytes);
      return '';
    }
    const offset = this.heldLength;
    this.hold(bytes);
    const all = this.takeHeld();
    if (!this.readBom) {
      this.readBom = true;
      const bom = encodingFromBom(all);
      if (bom !== undefined) return this.declare(bom.encoding, all);
    }
    const end = lastBreak >= 0 ? offset + lastBreak + 1 : beforeLastSequence(all);
    // A copy: a view would keep the whole chunk alive for the few bytes of a line's start.
    if (end < all.length) this.hold(Buffer.from(all.subarray(end)));
    return this.decodeLines(all.subarray(0, end));
  }

  end(): string {
    if (this.declared !== undefined) return this.declared.end() ?? '';
    const rest = this.takeHeld();
    if (rest.length === 0) return '';
    const bom = this.readBom ? undefined : encodingFromBom(rest);
    if (bom !== undefined) return this.declare(bom.encoding, rest) + (this.declared!.end() ?? '');
    return this.decodeLines(rest);
  }

  /** Whole lines: one decoding for the whole piece when it is all UTF-8, else one per run of lines read alike. */
  private decodeLines(bytes: Buffer): string {
    if (isUtf8(bytes)) return bytes.toString('utf8');
    let text = '';
    let runStart = 0;
    let runUtf8 = true;
    let start = 0;
    while (start < bytes.length) {
      const end = lineEnd(bytes, start);
      const utf8 = isUtf8(bytes.subarray(start, end));
      if (utf8 !== runUtf8) {
        text += this.decodeRun(bytes.subarray(runStart, start), runUtf8);
        runStart = start;
        runUtf8 = utf8;
      }
      start = end;
    }
    return text + this.decodeRun(bytes.subarray(runStart), runUtf8);
  }

  private decodeRun(bytes: Buffer, utf8: boolean): string {
    if (bytes.length === 0) return '';
    if (utf8) return bytes.toString('utf8');
    const text = iconv.decode(bytes, this.legacy);
    if (!MISREAD.test(text)) return text;
    let lines = '';
    for (let start = 0; start < bytes.length; ) {
      const end = lineEnd(bytes, start);
      const line = bytes.subarray(start, end);
      let read = iconv.decode(line, this.legacy);
      if (MISREAD.test(read)) {
        for (const other of LEGACY_ENCODINGS) {
          if (other === this.legacy) continue;
          const instead = iconv.decode(line, other);
          if (!MISREAD.test(instead)) {
            this.legacy = other;
            read = instead;
            break;
          }
        }
      }
      lines += read;
      start = end;
    }
    return lines;
  }

  private declare(encoding: CsvEncoding, bytes: Buffer): string {
    this.declared = iconv.getDecoder(encoding, { stripBOM: true });
    return this.declared.write(bytes);
  }

  private hold(bytes: Buffer): void {
    this.held.push(bytes);
    this.heldLength += bytes.length;
  }

  private takeHeld(): Buffer {
    const bytes = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held, this.heldLength);
    this.held = [];
    this.heldLength = 0;
    return bytes;
  }
}

function lastLineBreak(bytes: Buffer): number {
  for (let i = bytes.length - 1; i >= 0; i--) if (bytes[i] === LF || bytes[i] === CR) return i;
  return -1;
}

/** Where the last character starts, if it may be a UTF-8 sequence cut short, so that it is never split. */
function beforeLastSequence(bytes: Buffer): number {
  let at = bytes.length - 1;
  while (at > bytes.length - 4 && at > 0 && (bytes[at] & 0xc0) === 0x80) at--;
  return bytes[at] >= 0xc0 ? at : bytes.length;
}

/** Where the line starting at `start` ends, its line break included. */
function lineEnd(bytes: Buffer, start: number): number {
  let end = start;
  while (end < bytes.length && bytes[end] !== LF && bytes[end] !== CR) end++;
  return Math.min(bytes.length, end + 1);
}
