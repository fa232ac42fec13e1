import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * How many bytes, from the first non-ASCII byte on, decide between UTF-8 and Windows-1252. One accented letter
 * is usually enough (Windows-1252 letters are lone high bytes, invalid in UTF-8); a window keeps a single
 * unlucky pair such as "Ã©" from deciding alone.
 */
export const ENCODING_DECISION_BYTES = 16 * 1024;

export function encodingFromBom(bytes: Uint8Array): { encoding: CsvEncoding; bomLength: number } | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  return undefined;
}

/**
 * True when `bytes` are UTF-8. With `truncatedTail`, the bytes are a window cut out of a longer stream and a
 * multi-byte sequence cut at the end is not held against them.
 */
export function looksLikeUtf8(bytes: Uint8Array, truncatedTail: boolean): boolean {
  let end = bytes.length;
  if (truncatedTail) {
    // Walk back over continuation bytes to the lead byte of the last sequence, at most 3 back.
    let lead = end - 1;
    while (lead >= 0 && lead > end - 4 && (bytes[lead] & 0xc0) === 0x80) lead--;
    if (lead >= 0) {
      const b = bytes[lead];
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (lead + need > end) end = lead;
    }
  }
  return isUtf8(bytes.subarray(0, end));
}

/**
 * Decodes the uploaded bytes incrementally, detecting the encoding as it goes:
 * - a BOM names it: UTF-8, UTF-16 LE or UTF-16 BE (UTF-16 needs its BOM; without one its NUL bytes make the
 *   file look binary and it is refused);
 * - otherwise, while the bytes are ASCII the question does not arise (ASCII reads the same either way);
 * - the first non-ASCII byte opens a window of ENCODING_DECISION_BYTES (or up to the end of the file): valid
 *   UTF-8 there means UTF-8, anything else Windows-1252. The choice then holds for the rest of the file; bytes
 *   invalid in it later come out as U+FFFD, which the scanner reports on the line they are in.
 */
export class CsvTextDecoder {
  private state: 'bom' | 'ascii' | 'deciding' | 'decided' = 'bom';
  private held: Buffer[] = [];
  private heldLength = 0;
  private decoder: iconv.DecoderStream | undefined;
  private detected: CsvEncoding | undefined;

  /** Known once a BOM or a non-ASCII byte has been seen; undefined for a pure ASCII file. */
  get encoding(): CsvEncoding | undefined {
    return this.detected;
  }

  write(chunk: Uint8Array): string {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('CsvTextDecoder reads bytes: do not set an encoding on the source stream');
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (bytes.length === 0) return '';
    if (this.decoder !== undefined) return this.decoder.write(bytes);
    switch (this.state) {
      case 'decided':
        return '';
      case 'deciding':
        this.hold(bytes);
        return this.heldLength >= ENCODING_DECISION_BYTES ? this.decide(false) : '';
      case 'ascii':
        return this.ascii(bytes);
      case 'bom': {
        this.hold(bytes);
        if (this.heldLength < 3) return '';
        return this.afterBom();
      }
    }
  }

  end(): string {
    let text = '';
    if (this.state === 'bom') text = this.heldLength === 0 ? '' : this.afterBom();
    if (this.state === 'deciding') text += this.decide(true);
    if (this.decoder !== undefined) text += this.decoder.end() ?? '';
    return text;
  }

  private afterBom(): string {
    const bytes = this.takeHeld();
    const bom = encodingFromBom(bytes);
    if (bom !== undefined) return this.use(bom.encoding, true, bytes);
    this.state = 'ascii';
    return this.ascii(bytes);
  }

  private ascii(bytes: Buffer): string {
    if (isAscii(bytes)) return bytes.toString('latin1');
    let first = 0;
    while (bytes[first] < 0x80) first++;
    this.state = 'deciding';
    this.hold(bytes.subarray(first));
    const before = bytes.toString('latin1', 0, first);
    return this.heldLength >= ENCODING_DECISION_BYTES ? before + this.decide(false) : before;
  }

  private decide(atEnd: boolean): string {
    const bytes = this.takeHeld();
    return this.use(looksLikeUtf8(bytes, !atEnd) ? 'utf-8' : 'windows-1252', false, bytes);
  }

  private use(encoding: CsvEncoding, stripBom: boolean, bytes: Buffer): string {
    this.detected = encoding;
    this.state = 'decided';
    this.decoder = iconv.getDecoder(encoding, { stripBOM: stripBom });
    return this.decoder.write(bytes);
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
