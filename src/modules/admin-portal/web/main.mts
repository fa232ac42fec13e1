// The admin portal: sign-in, the header (admin, networks, picker), the section tabs and the hash router.
//   #/import               Users › Invite Users › Import Users
//   #/imports/{id}         an import's report (linked from the admin e-mail)
//   #/imports/{id}/invite  the same, leading to "Invite the imported users" (linked from the admin e-mail)
//   #/users                the network's users

import { Api, ApiError } from './api.mjs';
import type { Context, View } from './context.mjs';
import { errorBox } from './context.mjs';
import { fill, focusTarget, h } from './dom.mjs';
import { importFormView, importReportView } from './imports.mjs';
import { clearSession, loadSession, readClaims, saveSession, type Session, TokenFormatError } from './session.mjs';
import { usersView } from './users.mjs';

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const account = document.getElementById('account') as HTMLElement;
const announcer = document.getElementById('announcer') as HTMLElement;

let session: Session | null = loadSession();
let stopView: (() => void) | void = undefined;
/** Why the last session ended, shown on the sign-in form. */
let signedOutBecause: string | null = null;

const api = new Api(() => session?.token ?? '');
api.onUnauthorized = (error: ApiError) => signOut(error.message);

function announce(message: string): void {
  // Cleared first so that the same sentence twice is announced twice.
  announcer.textContent = '';
  window.setTimeout(() => (announcer.textContent = message), 50);
}

function signOut(reason: string | null): void {
  clearSession();
  session = null;
  signedOutBecause = reason;
  render();
}

function switchNetwork(networkId: string): void {
  if (!session || !session.claims.networks.includes(networkId) || session.network === networkId) return;
  session = { ...session, network: networkId };
  saveSession(session);
  renderAccount();
}

interface Route {
  tab: 'import' | 'users';
  view: View;
  title: string;
}

function route(hash: string): Route | null {
  const path = hash.replace(/^#/, '');
  if (path === '' || path === '/' || path === '/import') return { tab: 'import', view: importFormView, title: 'Import Users' };
  if (path === '/users') return { tab: 'users', view: usersView, title: 'Users' };
  const report = /^\/imports\/([^/?#]+)(\/invite)?\/?$/.exec(path);
  if (report) {
    const importId = decodeURIComponent(report[1]);
    return { tab: 'import', view: importReportView(importId, { invite: Boolean(report[2]) }), title: report[2] ? 'Invite the imported users' : 'Import report' };
  }
  return null;
}

function renderAccount(): void {
  if (!session) {
    fill(account);
    return;
  }
  const pickerHadFocus = document.activeElement?.id === 'network';
  const { claims } = session;
  const picker = h(
    'select',
    {
      id: 'network',
      onchange: (event: Event) => {
        switchNetwork((event.target as HTMLSelectElement).value);
        // An import belongs to one network: switching leaves its report for the Import Users tab.
        if (window.location.hash.startsWith('#/imports/')) window.location.hash = '#/import';
        else render({ focusHeading: false });
        announce(`Now administering network ${session?.network ?? ''}.`);
      },
    },
    claims.networks.map((n) => h('option', { value: n, selected: n === session!.network }, n)),
  );
  fill(
    account,
    h(
      'p',
      { class: 'who' },
      'Signed in as ',
      h('strong', { id: 'admin-email' }, claims.email ?? claims.sub),
      claims.email && claims.email !== claims.sub ? h('span', { class: 'muted' }, ` (${claims.sub})`) : null,
      h('br'),
      h('span', { class: 'muted', id: 'admin-networks' }, `Administers ${claims.networks.length === 1 ? 'network' : `${claims.networks.length} networks`}: ${claims.networks.join(', ')}`),
    ),
    h('div', { class: 'network-picker' }, h('label', { for: 'network' }, 'Network'), picker),
    h('button', { type: 'button', class: 'secondary', id: 'sign-out', onclick: () => signOut(null) }, 'Sign out'),
  );
  if (pickerHadFocus) picker.focus();
}

function renderNav(active: Route['tab']): void {
  const link = (tab: Route['tab'], href: string, label: string) =>
    h('a', { href, class: tab === active ? 'tab active' : 'tab', 'aria-current': tab === active ? 'page' : null }, label);
  fill(nav, link('users', '#/users', 'Users'), link('import', '#/import', 'Import Users'));
  nav.hidden = false;
}

function signInView(): void {
  nav.hidden = true;
  const errors = errorBox();
  const input = h('textarea', {
    id: 'token',
    name: 'token',
    rows: 4,
    required: true,
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-describedby': 'token-help',
  });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card sign-in', novalidate: true },
    h('h1', {}, 'Sign in'),
    signedOutBecause ? h('p', { class: 'notice', role: 'status' }, signedOutBecause) : null,
    /^#\/imports\//.test(window.location.hash) ? h('p', { class: 'notice' }, 'Sign in to open the import you followed a link to.') : null,
    h('label', { for: 'token' }, 'Admin token'),
    h(
      'p',
      { id: 'token-help', class: 'help' },
      'Paste the token printed by ',
      h('code', {}, 'office-chat-users token --network <id> --admin <your e-mail>'),
      '. It is kept in this browser tab only and forgotten when the tab closes.',
    ),
    input,
    errors.element,
    h('div', { class: 'actions' }, button),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.clear();
    const token = input.value.trim().replace(/^Bearer\s+/i, '');
    if (!token) {
      errors.show(new Error('Paste your admin token first.'));
      input.focus();
      return;
    }
    let candidate: Session;
    try {
      const claims = readClaims(token);
      if (claims.expiresAt && claims.expiresAt.getTime() <= Date.now()) {
        throw new TokenFormatError(`This token expired on ${claims.expiresAt.toLocaleString('en-GB')}. Print a new one.`);
      }
      candidate = { token, claims, network: claims.networks[0] };
    } catch (error) {
      errors.show(error);
      input.focus();
      return;
    }
    // The API has the last word on the token: one cheap call with it.
    button.disabled = true;
    const previous = session;
    session = candidate;
    try {
      const probe = new Api(() => token);
      await probe.listUsers(candidate.network, { limit: 1 });
      saveSession(candidate);
      signedOutBecause = null;
      announce(`Signed in as ${candidate.claims.email ?? candidate.claims.sub}.`);
      render();
    } catch (error) {
      session = previous;
      errors.show(error);
      button.disabled = false;
      input.focus();
    }
  });
  fill(main, form);
  document.title = 'Sign in · Office Chat admin portal';
  input.focus();
}

function render(options: { focusHeading?: boolean } = {}): void {
  stopView?.();
  stopView = undefined;
  renderAccount();
  if (!session) {
    signInView();
    return;
  }
  const hash = window.location.hash;
  const current = route(hash);
  if (!current) {
    window.location.replace('#/import');
    return;
  }
  renderNav(current.tab);
  document.title = `${current.title} · Office Chat admin portal`;
  main.replaceChildren();
  const context: Context = { api, session, announce, switchNetwork };
  stopView = current.view(main, context);
  if (options.focusHeading !== false) focusTarget(main.querySelector('h1'));
}

window.addEventListener('hashchange', () => {
  // In-page anchors (#something without a slash) are not routes.
  if (window.location.hash === '' || window.location.hash.startsWith('#/')) render();
});

render();
