/**
 * decideManagerLinks: the links that waited for the whole file, made in file order unless the manager is unknown or
 * the link would close a management cycle with the links already there (existing, or made before it).
 */
import { decideManagerLinks } from '../../../src/modules/imports/domain/manager-links.js';

/** Nodes 0..n-1 with their current managers ([child, manager] pairs), and the links to decide ([child, manager]). */
function decide(n: number, existing: [number, number][], links: [number, number][]) {
  const parent = new Int32Array(n).fill(-1);
  for (const [c, p] of existing) parent[c] = p;
  return decideManagerLinks({ parent, child: Int32Array.from(links.map(([c]) => c)), manager: Int32Array.from(links.map(([, m]) => m)) });
}

describe('decideManagerLinks', () => {
  it('links into a tree or chain are made; an unknown manager (-1) is reported as such', () => {
    expect(decide(4, [[1, 2]], [[0, 1], [3, 2], [2, -1]])).toEqual(['made', 'made', 'unknown']);
    expect(decide(0, [], [])).toEqual([]);
  });

  it('A already manages B: B→A would close a cycle and is not made', () => {
    expect(decide(2, [[1, 0]], [[0, 1]])).toEqual(['cycle']);
  });

  it('A→B made first, then B→A closes the cycle: the later link is the one not made', () => {
    expect(decide(2, [], [[0, 1], [1, 0]])).toEqual(['made', 'cycle']);
  });

  it('a longer loop through existing links (0→1→2 exist, 2→0 asked): not made; a tail into it is fine', () => {
    expect(decide(4, [[0, 1], [1, 2]], [[2, 0], [3, 0]])).toEqual(['cycle', 'made']);
  });

  it('a user moving under someone else: the old link no longer counts once the new one is made', () => {
    // 1 manages 0 today; 0 moves under 2 (made), then 1 moves under 0: no cycle, since 0 no longer reports to 1.
    expect(decide(3, [[0, 1]], [[0, 2], [1, 0]])).toEqual(['made', 'made']);
    // Without the move, 1 under 0 would close 0→1→0.
    expect(decide(3, [[0, 1]], [[1, 0]])).toEqual(['cycle']);
  });

  it('a loop already in the graph (left by a race elsewhere) does not hang the walk; the link is not made', () => {
    expect(decide(3, [[0, 1], [1, 0]], [[2, 0]])).toEqual(['cycle']);
  });

  it('never leaves a cycle, on random graphs', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const n = 2 + random(30);
      // A forest to start from: each node under a lower-numbered one, or none.
      const existing: [number, number][] = [];
      for (let c = 1; c < n; c++) if (random(2) === 0) existing.push([c, random(c)]);
      const links: [number, number][] = Array.from({ length: random(2 * n) }, () => [random(n), random(n + 1) - 1]);
      const decisions = decide(n, existing, links);
      const parent = new Int32Array(n).fill(-1);
      for (const [c, p] of existing) parent[c] = p;
      links.forEach(([c, m], i) => {
        if (decisions[i] === 'made') parent[c] = m;
      });
      for (let s = 0; s < n; s++) {
        let at = s;
        for (let steps = 0; at !== -1; steps++) {
          expect(steps).toBeLessThanOrEqual(n);
          at = parent[at];
        }
      }
    }
  });

  it('decides as a walk up from each manager would, on random graphs with and without loops left by races', () => {
    // The rule itself, as the walk that was its first implementation: a walk longer than the graph is in a loop.
    const byWalking = (parent: Int32Array, child: Int32Array, manager: Int32Array) => {
      const at = parent.slice();
      return Array.from(child, (c, i) => {
        const m = manager[i];
        if (m < 0) return 'unknown';
        let node = m;
        for (let steps = 0; node !== -1 && node !== c && steps <= at.length; steps++) node = at[node];
        if (node !== -1) return 'cycle';
        at[c] = m;
        return 'made';
      });
    };
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 3000; round++) {
      const n = 1 + random(25);
      // Any manager at all, so loops of every length (a user their own manager too) occur.
      const parent = Int32Array.from({ length: n }, () => random(n + 2) - 2).map((p) => (p < 0 ? -1 : p));
      const child = Int32Array.from({ length: random(3 * n) }, () => random(n));
      const manager = Int32Array.from(child, () => random(n + 1) - 1);
      expect([round, decideManagerLinks({ parent: parent.slice(), child, manager })]).toEqual([round, byWalking(parent, child, manager)]);
    }
  });

  it('100,000 links under the bottom of a 100,000-deep chain take well under a second, not a walk up the chain each', () => {
    // Users 0..N-1 form a chain (k reports to k-1); users N..2N-1 each move under N-1, the bottom of it. A walk up
    // from the manager per link took 38 s here, and a million-line file a quarter of an hour of the event loop.
    const n = 100_000;
    const parent = new Int32Array(2 * n).fill(-1);
    for (let k = 1; k < n; k++) parent[k] = k - 1;
    const child = Int32Array.from({ length: n }, (_, k) => n + k);
    const manager = new Int32Array(n).fill(n - 1);
    // Then the top of the chain asks to report to its own bottom: a cycle 100,000 deep, still found.
    const decisions = decideManagerLinks({ parent, child: Int32Array.from([...child, 0]), manager: Int32Array.from([...manager, n - 1]) });
    expect(decisions.filter((d) => d === 'made')).toHaveLength(n);
    expect(decisions.at(-1)).toBe('cycle');
  }, 3_000);
});

