// Users: the network's users with search, status filter and paging; activate / deactivate; a user's history.

import type { HistoryEntry, User } from './api.mjs';
import { type Context, errorBox, type View } from './context.mjs';
import { append, fill, focusTarget, h, whileBusy } from './dom.mjs';
import { historyItems, type ImportNames } from './history.mjs';

const PAGE_SIZE = 20;

/** The list's state survives switching tabs within the page (not a reload). */
const state: { network: string; search: string; status: '' | 'active' | 'deactivated'; cursors: (string | undefined)[] } = {
  network: '',
  search: '',
  status: '',
  cursors: [undefined],
};

export const usersView: View = (main, context) => {
  let stopped = false;
  if (state.network !== context.session.network) Object.assign(state, { network: context.session.network, search: '', status: '', cursors: [undefined] });
  const errors = errorBox();
  const status = h('p', { class: 'muted', role: 'status', id: 'users-status' });

  const search = h('input', { type: 'search', id: 'user-search', name: 'search', value: state.search, autocomplete: 'off', 'aria-describedby': 'user-search-help' });
  const statusFilter = h(
    'select',
    { id: 'user-status', name: 'status' },
    h('option', { value: '', selected: state.status === '' }, 'All'),
    h('option', { value: 'active', selected: state.status === 'active' }, 'Active'),
    h('option', { value: 'deactivated', selected: state.status === 'deactivated' }, 'Deactivated'),
  );
  const filters = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Find users' },
    h('div', { class: 'field' }, h('label', { for: 'user-search' }, 'Search'), search, h('span', { class: 'help', id: 'user-search-help' }, 'Name or e-mail')),
    h('div', { class: 'field' }, h('label', { for: 'user-status' }, 'Status'), statusFilter),
    h('div', { class: 'field' }, h('button', { type: 'submit', id: 'user-search-button' }, 'Search')),
  );

  const body = h('tbody', {});
  const table = h(
    'table',
    { id: 'users-table' },
    h('caption', { class: 'visually-hidden' }, 'Users of the network'),
    h('thead', {}, h('tr', {}, ['Name', 'E-mail', 'Title', 'Status', 'Invitation', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
    body,
  );
  const previous = h('button', { type: 'button', class: 'secondary', id: 'users-previous' }, 'Previous page');
  const next = h('button', { type: 'button', class: 'secondary', id: 'users-next' }, 'Next page');
  const pageLabel = h('span', { class: 'muted', id: 'users-page' });
  const history = h('section', { class: 'card history', id: 'history', 'aria-labelledby': 'history-heading', hidden: true });

  append(main, [
    h('h1', {}, 'Users'),
    h('p', { class: 'lead' }, `The users of network ${context.session.network}. Choose a name to see that user's history.`),
    filters,
    errors.element,
    h(
      'div',
      { class: 'users-layout' },
      h('div', { class: 'card users-list' }, h('div', { class: 'table-wrap' }, table), h('div', { class: 'pager' }, previous, pageLabel, next), status),
      history,
    ),
  ]);

  const load = async () => {
    errors.clear();
    const page = state.cursors.length;
    status.textContent = 'Loading…';
    try {
      const result = await context.api.listUsers(context.session.network, {
        search: state.search || undefined,
        status: state.status || undefined,
        cursor: state.cursors[state.cursors.length - 1],
        limit: PAGE_SIZE,
      });
      if (stopped) return;
      fill(body, result.items.length === 0 ? h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No user matches.')) : result.items.map((u) => row(u)));
      const focused = document.activeElement;
      previous.disabled = page <= 1;
      next.disabled = result.nextCursor === null;
      // Reaching the first or the last page disables the button just pressed: the keyboard moves to the other one.
      if (focused === next && next.disabled && !previous.disabled) previous.focus();
      if (focused === previous && previous.disabled && !next.disabled) next.focus();
      next.dataset.cursor = result.nextCursor ?? '';
      pageLabel.textContent = `Page ${page}`;
      status.textContent = `${result.items.length === 0 ? 'No' : result.items.length} user${result.items.length === 1 ? '' : 's'} shown${state.search ? ` matching “${state.search}”` : ''}.`;
    } catch (error) {
      if (stopped) return;
      status.textContent = '';
      errors.show(error);
    }
  };

  const row = (user: User): HTMLTableRowElement => {
    const rowErrors = errorBox();
    const toggle = h(
      'button',
      { type: 'button', class: user.status === 'active' ? 'danger small' : 'small', 'aria-label': `${user.status === 'active' ? 'Deactivate' : 'Activate'} ${user.name}` },
      user.status === 'active' ? 'Deactivate' : 'Activate',
    );
    const tr = h(
      'tr',
      { 'data-user-id': user.id, 'data-email': user.email },
      // data-label names each cell where a narrow screen shows a user as lines instead of a table row.
      h('td', { 'data-label': 'Name' }, h('button', { type: 'button', class: 'link', 'aria-controls': 'history', onclick: () => void showHistory(user) }, user.name)),
      h('td', { 'data-label': 'E-mail' }, user.email),
      h('td', { 'data-label': 'Title' }, user.title ?? ''),
      h('td', { 'data-label': 'Status' }, h('span', { class: `status status-${user.status}` }, user.status)),
      h('td', { 'data-label': 'Invitation' }, user.invitation === 'requested' ? 'requested' : '—'),
      h('td', {}, toggle, rowErrors.element),
    );
    toggle.addEventListener('click', () =>
      whileBusy(toggle, async () => {
        rowErrors.clear();
        const activate = user.status !== 'active';
        try {
          const updated = await context.api.setUserActive(context.session.network, user.id, activate);
          const replacement = row(updated);
          tr.replaceWith(replacement);
          context.announce(`${updated.name} is now ${updated.status}.`);
          status.textContent = `${updated.name} (${updated.email}) is now ${updated.status}.`;
          replacement.querySelector<HTMLButtonElement>('td:last-child button')?.focus();
          if (!history.hidden && history.dataset.userId === user.id) void showHistory(updated, false);
        } catch (error) {
          rowErrors.show(error);
        }
      }),
    );
    return tr;
  };

  const showHistory = async (user: User, moveFocus = true) => {
    history.hidden = false;
    history.dataset.userId = user.id;
    const heading = h('h2', { id: 'history-heading' }, `History of ${user.name}`);
    // Only what is under the heading is replaced, so the keyboard focus moved to the heading stays on it.
    const content = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
    fill(history, heading, content);
    if (moveFocus) focusTarget(heading);
    try {
      const { items } = await context.api.userHistory(context.session.network, user.id);
      const names = await importNames(context, items);
      if (stopped || history.dataset.userId !== user.id) return;
      fill(
        content,
        h('p', { class: 'muted' }, user.email),
        h('ol', { class: 'events', id: 'history-events' }, historyItems(items, names)),
        h('button', { type: 'button', class: 'secondary', onclick: closeHistory }, 'Close history'),
      );
    } catch (error) {
      const historyErrors = errorBox();
      historyErrors.show(error);
      fill(content, historyErrors.element);
    }
  };

  function closeHistory(): void {
    history.hidden = true;
    body.querySelector<HTMLButtonElement>(`tr[data-user-id="${CSS.escape(history.dataset.userId ?? '')}"] button.link`)?.focus();
  }

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    state.search = search.value.trim();
    state.status = statusFilter.value as typeof state.status;
    state.cursors = [undefined];
    void load();
  });
  statusFilter.addEventListener('change', () => filters.requestSubmit());
  // Busy until the page is shown: a second press would page on from the cursor of the page not yet shown.
  next.addEventListener('click', () =>
    whileBusy(next, async () => {
      if (!next.dataset.cursor) return;
      state.cursors.push(next.dataset.cursor);
      await load();
    }),
  );
  previous.addEventListener('click', () =>
    whileBusy(previous, async () => {
      if (state.cursors.length <= 1) return;
      state.cursors.pop();
      await load();
    }),
  );

  void load();
  return () => {
    stopped = true;
  };
};

/** The file names of the imports a history names; an import the API does not give stays known by its id. */
async function importNames(context: Context, entries: HistoryEntry[]): Promise<ImportNames> {
  const ids = [...new Set(entries.map((e) => e.importId).filter((id): id is string => id !== null))];
  const named = await Promise.all(
    ids.map((id) =>
      context.api.getImport(context.session.network, id).then(
        (report): [string, string] => [id, report.fileName],
        () => null,
      ),
    ),
  );
  return new Map(named.filter((pair): pair is [string, string] => pair !== null));
}
