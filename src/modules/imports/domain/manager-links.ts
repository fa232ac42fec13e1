/**
 * The manager links an import could not make while it read the file, decided once the whole file is in: a link to
 * a manager named on a later line (a forward reference), or a new manager for a user who already existed. Those
 * are the only links that can close a management cycle: a user the import creates has nobody under them yet when
 * they get their manager, because every link to them from an earlier line waits until now.
 *
 * The links are made in file order. Each is made unless its manager is unknown, or unless walking up from the
 * manager reaches the user (the link would close a cycle); then the user keeps the manager they had.
 */
export type ManagerLinkDecision = 'made' | 'unknown' | 'cycle';

export interface ManagerLinkGraph {
  /**
   * `parent[i]`: the manager of node i as things stand before these links (-1: none). The nodes are the users the
   * links name and every manager above them.
   */
  readonly parent: Int32Array;
  /** Per link, in file order: the user it gives a manager to (a node). */
  readonly child: Int32Array;
  /** Per link: the manager (a node), or -1 when no user has the manager's e-mail. */
  readonly manager: Int32Array;
}

export function decideManagerLinks(graph: ManagerLinkGraph): ManagerLinkDecision[] {
  const forest = new ManagementForest(graph.parent);
  const decisions: ManagerLinkDecision[] = [];
  for (let i = 0; i < graph.child.length; i++) {
    const child = graph.child[i];
    const manager = graph.manager[i];
    if (manager < 0) decisions.push('unknown');
    else decisions.push(forest.moveUnder(child, manager) ? 'made' : 'cycle');
  }
  return decisions;
}

const NONE = -1;

/**
 * The management forest as a link-cut tree (Sleator and Tarjan), so that "is the user above their new manager?" costs
 * O(log n) amortised instead of a walk up the chain. Walking was O(links × depth): a file whose 500,000 lines each
 * moved someone under the bottom of a 500,000-deep chain blocked the service's event loop for a quarter of an hour.
 *
 * A loop already in the data (links a race made elsewhere) cannot be a tree: one user of each loop hangs under an
 * extra root, LOOP, instead of their manager, so everyone whose chain ends in a loop has LOOP as their root. A walk
 * up from them never ended, so no link under them is made (as before); a link that moves a loop's user under someone
 * outside it breaks the loop, and then the user who hung under LOOP goes back under their own manager.
 */
class ManagementForest {
  private readonly loop: number;
  /** Each node's manager as the forest holds it (LOOP for the one user of a loop hanging there). */
  private readonly manager: Int32Array;
  /** The user of each loop that hangs under LOOP, for each member of that loop; NONE outside loops. */
  private readonly loopOf: Int32Array;
  private readonly initial: Int32Array;
  // The splay trees of preferred paths: children, and the parent or (at a splay tree's root) the path's parent.
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly up: Int32Array;

  constructor(parent: Int32Array) {
    const nodes = parent.length;
    this.loop = nodes;
    this.initial = parent;
    this.manager = new Int32Array(nodes + 1);
    this.manager.set(parent);
    this.manager[nodes] = NONE;
    this.loopOf = new Int32Array(nodes).fill(NONE);
    this.hangLoops();
    this.left = new Int32Array(nodes + 1).fill(NONE);
    this.right = new Int32Array(nodes + 1).fill(NONE);
    this.up = this.manager.slice();
  }

  /** Puts `child` under `manager` and answers true, unless the child is above the manager (or the manager's chain ends in a loop). */
  moveUnder(child: number, manager: number): boolean {
    if (child === manager) return false;
    const before = this.manager[child];
    if (before !== NONE) this.cut(child);
    const root = this.findRoot(manager);
    if (root === child || root === this.loop) {
      if (before !== NONE) this.link(child, before);
      return false;
    }
    this.link(child, manager);
    this.manager[child] = manager;
    const hanging = this.loopOf[child];
    if (hanging !== NONE && hanging !== child && this.manager[hanging] === this.loop) {
      this.cut(hanging);
      this.link(hanging, this.initial[hanging]);
      this.manager[hanging] = this.initial[hanging];
    }
    return true;
  }

  /** Finds the loops of the initial graph (each walk marks its path; a walk that meets its own path found one). */
  private hangLoops(): void {
    const nodes = this.loop;
    const state = new Uint8Array(nodes); // 0 unseen, 1 on this walk, 2 done
    const path: number[] = [];
    for (let start = 0; start < nodes; start++) {
      let at = start;
      while (at !== NONE && state[at] === 0) {
        state[at] = 1;
        path.push(at);
        at = this.initial[at];
      }
      if (at !== NONE && state[at] === 1) {
        let member = at;
        do {
          this.loopOf[member] = at;
          member = this.initial[member];
        } while (member !== at);
        this.manager[at] = this.loop;
      }
      for (const node of path) state[node] = 2;
      path.length = 0;
    }
  }

  private isSplayRoot(x: number): boolean {
    const p = this.up[x];
    return p === NONE || (this.left[p] !== x && this.right[p] !== x);
  }

  private rotate(x: number): void {
    const { left, right, up } = this;
    const p = up[x];
    const g = up[p];
    if (!this.isSplayRoot(p)) {
      if (left[g] === p) left[g] = x;
      else right[g] = x;
    }
    up[x] = g;
    if (left[p] === x) {
      left[p] = right[x];
      if (right[x] !== NONE) up[right[x]] = p;
      right[x] = p;
    } else {
      right[p] = left[x];
      if (left[x] !== NONE) up[left[x]] = p;
      left[x] = p;
    }
    up[p] = x;
  }

  private splay(x: number): void {
    while (!this.isSplayRoot(x)) {
      const p = this.up[x];
      if (!this.isSplayRoot(p)) this.rotate((this.left[this.up[p]] === p) === (this.left[p] === x) ? p : x);
      this.rotate(x);
    }
  }

  /** Makes the path from x's root down to x the preferred one, with x at its splay tree's root. */
  private access(x: number): void {
    for (let y = x, below = NONE; y !== NONE; below = y, y = this.up[y]) {
      this.splay(y);
      this.right[y] = below;
    }
    this.splay(x);
  }

  private findRoot(x: number): number {
    this.access(x);
    let root = x;
    while (this.left[root] !== NONE) root = this.left[root];
    this.splay(root);
    return root;
  }

  /** Detaches x from its manager. */
  private cut(x: number): void {
    this.access(x);
    const above = this.left[x];
    if (above !== NONE) {
      this.up[above] = NONE;
      this.left[x] = NONE;
    }
  }

  /** Hangs x, the root of its tree, under p. */
  private link(x: number, p: number): void {
    this.access(x);
    this.up[x] = p;
  }
}
