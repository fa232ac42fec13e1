/**
 * findCycleBreakers: which file line's manager link to drop so that no management cycle remains. The file's
 * latest line on each cycle is the culprit; links already in the network are never dropped.
 */
import { findCycleBreakers } from '../../../src/modules/imports/domain/manager-cycles.js';

/** Builds the parallel arrays from "child -> parent @ line" triples over nodes 0..n-1. */
function graph(n: number, links: [child: number, parent: number, line: number][]) {
  const parent = new Int32Array(n).fill(-1);
  const line = new Int32Array(n);
  for (const [c, p, l] of links) {
    parent[c] = p;
    line[c] = l;
  }
  return findCycleBreakers(parent, line).sort((a, b) => a - b);
}

/** Whether the links, minus the ones given by the file lines in `broken`, still hold a cycle. */
function hasCycle(n: number, links: [number, number, number][], broken: number[]): boolean {
  const parent = new Int32Array(n).fill(-1);
  for (const [c, p, l] of links) if (!broken.includes(l) || l === 0) parent[c] = p;
  for (let s = 0; s < n; s++) {
    let at = s;
    for (let steps = 0; at !== -1; steps++) {
      if (steps > n) return true;
      at = parent[at];
    }
  }
  return false;
}

describe('findCycleBreakers', () => {
  it('no cycle: nothing to break (chains and trees)', () => {
    expect(graph(4, [[0, 1, 2], [1, 2, 3], [3, 2, 4]])).toEqual([]);
    expect(graph(0, [])).toEqual([]);
  });

  it('A→B on line 2, B→A on line 3: line 3 is dropped, line 2 kept', () => {
    expect(graph(2, [[0, 1, 2], [1, 0, 3]])).toEqual([3]);
  });

  it('a cycle through an existing link (line 0): the file link is dropped, never the existing one', () => {
    expect(graph(2, [[0, 1, 0], [1, 0, 7]])).toEqual([7]);
    expect(graph(3, [[0, 1, 0], [1, 2, 5], [2, 0, 0]])).toEqual([5]);
  });

  it('a cycle made only of existing links is left alone', () => {
    expect(graph(2, [[0, 1, 0], [1, 0, 0]])).toEqual([]);
  });

  it('several cycles, and a tail leading into one: one link per cycle, the latest line', () => {
    const links: [number, number, number][] = [
      [0, 1, 2], [1, 2, 9], [2, 0, 4], // cycle 0→1→2→0, latest line 9
      [3, 0, 5], // tail into it
      [4, 5, 6], [5, 4, 3], // second cycle, latest line 6
    ];
    const broken = graph(6, links);
    expect(broken).toEqual([6, 9]);
    expect(hasCycle(6, links, broken)).toBe(false);
  });

  it('random graphs with cycles: after breaking none is left, and only file links are broken', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 500; round++) {
      const n = 2 + rand(30);
      const links: [number, number, number][] = [];
      for (let c = 0; c < n; c++) {
        if (rand(4) === 0) continue;
        const p = rand(n);
        // Links already in the network form a forest (they were checked when made): only towards a lower index.
        if (p < c && rand(3) === 0) links.push([c, p, 0]);
        else links.push([c, p, c + 2]);
      }
      const broken = graph(n, links);
      for (const l of broken) expect(l).toBeGreaterThan(0);
      expect(new Set(broken).size).toBe(broken.length);
      expect(hasCycle(n, links, broken)).toBe(false);
    }
  });
});
