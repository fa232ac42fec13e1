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
  const parent = graph.parent.slice();
  const nodes = parent.length;
  const decisions: ManagerLinkDecision[] = [];
  for (let i = 0; i < graph.child.length; i++) {
    const child = graph.child[i];
    const manager = graph.manager[i];
    if (manager < 0) {
      decisions.push('unknown');
      continue;
    }
    // A walk longer than the graph means it already holds a loop (links a race made elsewhere): it is not ours
    // to close, and this link is not made either.
    let at = manager;
    let steps = 0;
    while (at !== -1 && at !== child && steps <= nodes) {
      at = parent[at];
      steps++;
    }
    if (at === -1) {
      parent[child] = manager;
      decisions.push('made');
    } else {
      decisions.push('cycle');
    }
  }
  return decisions;
}
