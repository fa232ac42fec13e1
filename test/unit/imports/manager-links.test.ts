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
});
