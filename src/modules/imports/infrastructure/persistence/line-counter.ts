const LF = 0x0a;
const CR = 0x0d;

/**
 * Counts an upload's lines as its pieces arrive: each LF, each CR, and CRLF once, wherever a piece ends, plus a last
 * line without a line break. In UTF-16 (told by its byte-order mark) code units are counted, not bytes: many
 * characters hold a 0A or 0D byte (上 is 0A 4E in UTF-16 LE, č is 0D 01). An upper bound on the file's rows, the
 * heading included: blank lines and line breaks inside quoted values count too.
 */
export class LineCounter {
  private lines = 0;
  /** Known from the first two bytes; until then they wait in `head`. */
  private unit: 'byte' | 'utf16le' | 'utf16be' | undefined;
  private head: Buffer | undefined;
  /** The odd byte a piece of UTF-16 ended with. */
  private carry: number | undefined;
  private afterCR = false;
  private last: number | undefined;

  add(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.unit === undefined) {
      const bytes = this.head ? Buffer.concat([this.head, piece]) : piece;
      if (bytes.length < 2) {
        this.head = bytes;
        return;
      }
      this.head = undefined;
      this.unit = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf16be' : 'byte';
      piece = bytes;
    }
    if (this.unit === 'byte') this.addBytes(piece);
    else this.addUnits(piece);
  }

  total(): number {
    if (this.head) {
      this.unit = 'byte';
      this.addBytes(this.head);
      this.head = undefined;
    }
    const unterminated = this.last !== undefined && this.last !== LF && this.last !== CR;
    return this.lines + (this.afterCR ? 1 : 0) + (unterminated ? 1 : 0);
  }

  /** One byte a character: LF and CR are found by indexOf, the piece is never walked in JavaScript. */
  private addBytes(buf: Buffer): void {
    if (this.afterCR && buf[0] !== LF) this.lines++;
    for (let i = buf.indexOf(LF); i !== -1; i = buf.indexOf(LF, i + 1)) this.lines++;
    for (let i = buf.indexOf(CR); i !== -1 && i + 1 < buf.length; i = buf.indexOf(CR, i + 1)) if (buf[i + 1] !== LF) this.lines++;
    this.last = buf[buf.length - 1];
    this.afterCR = this.last === CR;
  }

  private addUnits(buf: Buffer): void {
    const le = this.unit === 'utf16le';
    let i = 0;
    if (this.carry !== undefined) {
      this.see(le ? this.carry | (buf[0] << 8) : (this.carry << 8) | buf[0]);
      this.carry = undefined;
      i = 1;
    }
    for (; i + 1 < buf.length; i += 2) this.see(le ? buf[i] | (buf[i + 1] << 8) : (buf[i] << 8) | buf[i + 1]);
    if (i < buf.length) this.carry = buf[i];
  }

  private see(unit: number): void {
    if (this.afterCR && unit !== LF) this.lines++;
    if (unit === LF) this.lines++;
    this.afterCR = unit === CR;
    this.last = unit;
  }
}
