/**
 * Finds the manager links that would close a cycle (A manages B manages A) in a graph of at most one manager per
 * user, given as parallel arrays so a million users fit in a few megabytes.
 *
 * `parent[i]` is the index of i's manager or -1; `line[i]` is the file line that sets that link, or 0 when the
 * link already exists in the network. For each cycle, the link from the highest file line is returned (the file
 * is what introduced the cycle; existing links are never the culprit when a file link is on the cycle).
 */
export function findCycleBreakers(parent: Int32Array, line: Int32Array): number[] {
  const n = parent.length;
  // 0 = unvisited, 1 = on the current walk, 2 = done.
  const color = new Uint8Array(n);
  const breakers: number[] = [];
  for (let start = 0; start < n; start++) {
    if (color[start] !== 0) continue;
    let node = start;
    while (node !== -1 && color[node] === 0) {
      color[node] = 1;
      node = parent[node];
    }
    if (node !== -1 && color[node] === 1) {
      let culprit = -1;
      let at = node;
      do {
        if (line[at] > 0 && (culprit === -1 || line[at] > line[culprit])) culprit = at;
        at = parent[at];
      } while (at !== node);
      if (culprit !== -1) breakers.push(line[culprit]);
    }
    for (let at = start; at !== -1 && color[at] === 1; at = parent[at]) color[at] = 2;
  }
  return breakers;
}
