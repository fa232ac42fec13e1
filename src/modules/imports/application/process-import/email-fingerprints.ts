/**
 * The e-mail keys of a file's lines so far, each as an 80-bit fingerprint with the line it was first seen on:
 * 14 bytes a slot in typed arrays, 19 MB at a million lines, where a Set of the keys would take over 50 MB on the
 * heap. The table has exactly the slots its expected keys need (not the next power of two, which took 29 MB at a
 * million lines), and a fingerprint's first 32 bits, scaled to that size, give its home slot. Two different e-mails
 * share a fingerprint with a probability of about n² / 2⁸¹ for n lines (4 × 10⁻¹³ at a million), so a fingerprint
 * seen before is taken as the e-mail seen before. It holds at most `maxKeys` keys, so a file of any size is read in
 * bounded memory: past them, `add` answers FULL for a key it has not seen, and the caller keeps that key elsewhere.
 */
export class EmailFingerprints {
  /** What `add` answers for a new key when the table already holds `maxKeys`: the key was not added. */
  static readonly FULL = -1;

  private capacity: number;
  private h1: Uint32Array;
  private h2: Uint32Array;
  private h3: Uint16Array;
  /** 0 marks an empty slot: lines are numbered from 1. */
  private lines: Int32Array;
  private size = 0;
  private readonly hash = new Uint32Array(4);

  /**
   * Sized for `expected` keys (at most `maxKeys`) from the start when the caller knows about how many will come:
   * growing holds the old table and one twice its size at once, and copies.
   */
  constructor(
    expected = 0,
    private readonly maxKeys = Number.MAX_SAFE_INTEGER,
  ) {
    this.capacity = Math.max(MIN_CAPACITY, Math.ceil((4 * Math.min(expected, maxKeys)) / 3) + 1);
    this.h1 = new Uint32Array(this.capacity);
    this.h2 = new Uint32Array(this.capacity);
    this.h3 = new Uint16Array(this.capacity);
    this.lines = new Int32Array(this.capacity);
  }

  /** Adds the key seen on `line`; returns the line it was first seen on, 0 when it is new, or FULL. */
  add(key: string, line: number): number {
    murmur3x86x128Utf16(key, this.hash);
    const [a, b] = this.hash;
    const c = this.hash[2] & 0xffff;
    let i = this.slotOf(a, b, c);
    const first = this.lines[i];
    if (first !== 0) return first;
    if (this.size >= this.maxKeys) return EmailFingerprints.FULL;
    if (4 * (this.size + 1) > 3 * this.capacity) {
      this.grow();
      i = this.slotOf(a, b, c);
    }
    this.h1[i] = a;
    this.h2[i] = b;
    this.h3[i] = c;
    this.lines[i] = line;
    this.size += 1;
    return 0;
  }

  /** The fingerprint's slot, or the empty slot where it would go (the table is never more than three quarters full). */
  private slotOf(a: number, b: number, c: number): number {
    const capacity = this.capacity;
    for (let i = home(a, capacity); ; i = i + 1 === capacity ? 0 : i + 1) {
      if (this.lines[i] === 0 || (this.h1[i] === a && this.h2[i] === b && this.h3[i] === c)) return i;
    }
  }

  private grow(): void {
    const [o1, o2, o3, oLines] = [this.h1, this.h2, this.h3, this.lines];
    this.capacity *= 2;
    this.h1 = new Uint32Array(this.capacity);
    this.h2 = new Uint32Array(this.capacity);
    this.h3 = new Uint16Array(this.capacity);
    this.lines = new Int32Array(this.capacity);
    const capacity = this.capacity;
    for (let j = 0; j < oLines.length; j++) {
      if (oLines[j] === 0) continue;
      let i = home(o1[j], capacity);
      while (this.lines[i] !== 0) i = i + 1 === capacity ? 0 : i + 1;
      this.h1[i] = o1[j];
      this.h2[i] = o2[j];
      this.h3[i] = o3[j];
      this.lines[i] = oLines[j];
    }
  }
}

const MIN_CAPACITY = 1 << 16;

/** The slot a 32-bit hash word starts probing at, in a table of `capacity` slots (below capacity: word / 2³² < 1). */
const home = (word: number, capacity: number): number => Math.floor((word / 4294967296) * capacity);

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * MurmurHash3 x86 128-bit (seed 0) of the string's UTF-16LE bytes, written into `out` as four 32-bit words,
 * read straight from the string's code units. (The npm implementations take a byte array and return hex text: a
 * byte copy and a string per call on a path that runs once a line; the unit test checks this one against one.)
 */
export function murmur3x86x128Utf16(text: string, out: Uint32Array): void {
  const n = text.length;
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  let h4 = 0;
  const blocks = n >>> 3;
  let i = 0;
  for (let b = 0; b < blocks; b++, i += 8) {
    let k1 = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    let k2 = text.charCodeAt(i + 2) | (text.charCodeAt(i + 3) << 16);
    let k3 = text.charCodeAt(i + 4) | (text.charCodeAt(i + 5) << 16);
    let k4 = text.charCodeAt(i + 6) | (text.charCodeAt(i + 7) << 16);
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }
  // The tail: at most 7 code units, two to a word, the last word maybe half full.
  const rest = n - i;
  const unit = (j: number): number => (j < rest ? text.charCodeAt(i + j) : 0);
  if (rest > 6) h4 ^= Math.imul(rotl(Math.imul(unit(6), C4), 18), C1);
  if (rest > 4) h3 ^= Math.imul(rotl(Math.imul(unit(4) | (unit(5) << 16), C3), 17), C4);
  if (rest > 2) h2 ^= Math.imul(rotl(Math.imul(unit(2) | (unit(3) << 16), C2), 16), C3);
  if (rest > 0) h1 ^= Math.imul(rotl(Math.imul(unit(0) | (unit(1) << 16), C1), 15), C2);
  const len = 2 * n;
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
  out[2] = h3;
  out[3] = h4;
}
