/**
 * The e-mail keys of a file's lines so far, as 32-bit hashes in an open-addressing table: 8 MB for a million
 * lines, where a Set of the keys would take over 50 MB. A key seen before is always reported; a key not seen
 * before is reported as seen about once in 4,000 lines at a million (two hashes alike), which callers must allow.
 */
export class SeenEmailKeys {
  private table = new Uint32Array(1 << 16);
  private size = 0;

  /** Adds the key; true if it (or, rarely, a key with the same hash) was added before. */
  add(key: string): boolean {
    if (2 * (this.size + 1) > this.table.length) this.grow();
    const hash = fnv1a(key);
    const mask = this.table.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = this.table[i];
      if (slot === hash) return true;
      if (slot === 0) {
        this.table[i] = hash;
        this.size += 1;
        return false;
      }
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    const mask = this.table.length - 1;
    for (const hash of old) {
      if (hash === 0) continue;
      let i = hash & mask;
      while (this.table[i] !== 0) i = (i + 1) & mask;
      this.table[i] = hash;
    }
  }
}

/** FNV-1a over the UTF-16 units, never 0 (0 marks an empty slot). */
function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0 || 1;
}
