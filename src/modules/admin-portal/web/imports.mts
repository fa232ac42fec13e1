// Users › Invite Users › Import Users: the form the admin guide describes, the live progress of an import,
// and its report (summary, warnings, rejected rows, error CSV, "Invite the imported users").

import { ApiError, type ImportCounts, type ImportMode, type ImportReport } from './api.mjs';
import { type Context, errorBox, type View } from './context.mjs';
import { append, fill, focusTarget, formatDateTime, formatNumber, h, plural, saveBlob, whileBusy } from './dom.mjs';

const POLL_INTERVAL_MS = 500;
const TEMPLATE_HEADINGS = 'name,firstname,lastname,email/login,title,mobile,manager,Enabled';

export const MODE_HELP: Record<ImportMode, { label: string; help: string }> = {
  skip: {
    label: 'Skip existing users',
    help: 'Existing users are not updated: only the new users found in the uploaded CSV are added.',
  },
  update: {
    label: 'Update existing users',
    help: 'All the users already present are updated with the new values from the uploaded CSV. Additionally, the new users found in the CSV are created.',
  },
};

const COUNT_LABELS: [keyof ImportCounts, string, string][] = [
  ['rows', 'Rows read', 'data lines in the file'],
  ['created', 'Created', 'new users'],
  ['updated', 'Updated', 'existing users changed'],
  ['activated', 'Activated', 'Enabled TRUE on a deactivated user'],
  ['deactivated', 'Deactivated', 'Enabled FALSE on an active user'],
  ['unchanged', 'Unchanged', 'nothing to change'],
  ['skipped', 'Skipped', 'existing users in Skip mode, or Enabled FALSE for a new user'],
  ['rejected', 'Rejected', 'lines with an error, listed below'],
];

/** A file chosen on the form and dry-run first: kept in memory so the admin can confirm the real import. */
let awaitingConfirmation: { dryRunId: string; file: File; mode: ImportMode; autoSendInvites: boolean } | null = null;

const finished = (r: ImportReport) => r.status === 'completed' || r.status === 'failed';

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Starts an upload and goes to the new import's page; shared by the form and the dry run's "Import Now". */
async function startImport(
  context: Context,
  file: File,
  options: { mode: ImportMode; autoSendInvites: boolean; dryRun: boolean },
  progress: { bar: HTMLProgressElement; text: HTMLElement; box: HTMLElement },
): Promise<void> {
  progress.box.hidden = false;
  progress.bar.removeAttribute('value');
  progress.text.textContent = `Uploading ${file.name}…`;
  context.announce(`Uploading ${file.name}.`);
  const report = await context.api.startImport(context.session.network, file, options, (sent, total) => {
    progress.bar.max = total;
    progress.bar.value = sent;
    progress.text.textContent = `Uploading ${file.name}: ${formatBytes(sent)} of ${formatBytes(total)}`;
  });
  awaitingConfirmation = options.dryRun ? { dryRunId: report.id, file, mode: options.mode, autoSendInvites: options.autoSendInvites } : null;
  window.location.hash = `#/imports/${encodeURIComponent(report.id)}`;
}

function uploadProgress(): { bar: HTMLProgressElement; text: HTMLElement; box: HTMLElement } {
  const bar = h('progress', { id: 'upload-progress', 'aria-labelledby': 'upload-progress-text' });
  const text = h('p', { id: 'upload-progress-text', class: 'progress-text' });
  const box = h('div', { class: 'progress-box', hidden: true }, bar, text);
  return { bar, text, box };
}

function breadcrumb(...items: (string | HTMLElement)[]): HTMLElement {
  return h('nav', { 'aria-label': 'Breadcrumb', class: 'breadcrumb' }, h('ol', {}, items.map((item) => h('li', {}, item))));
}

// ---------------------------------------------------------------------------------------------------------
// The Import Users tab
// ---------------------------------------------------------------------------------------------------------

export const importFormView: View = (main, context) => {
  const errors = errorBox();
  const progress = uploadProgress();

  const modeOption = (mode: ImportMode, checked: boolean) =>
    h(
      'div',
      { class: 'choice' },
      h('input', { type: 'radio', name: 'mode', id: `mode-${mode}`, value: mode, checked, 'aria-describedby': `mode-${mode}-help` }),
      h('label', { for: `mode-${mode}` }, MODE_HELP[mode].label),
      h('p', { class: 'help', id: `mode-${mode}-help` }, MODE_HELP[mode].help),
    );

  const fileInput = h('input', { type: 'file', id: 'file', name: 'file', accept: '.csv,text/csv,text/plain', 'aria-describedby': 'file-help file-chosen' });
  const chosen = h('p', { id: 'file-chosen', class: 'chosen', 'aria-live': 'polite' }, 'No file chosen.');
  const showChosen = () => {
    const file = fileInput.files?.[0];
    chosen.textContent = file ? `Chosen: ${file.name} (${formatBytes(file.size)})` : 'No file chosen.';
    dropzone.classList.toggle('has-file', Boolean(file));
  };
  fileInput.addEventListener('change', () => {
    errors.clear();
    showChosen();
  });

  const dropzone = h(
    'div',
    { class: 'dropzone', id: 'dropzone' },
    h('label', { for: 'file', class: 'dropzone-label' }, 'CSV file'),
    fileInput,
    h('p', { class: 'help', id: 'file-help' }, 'Click “Choose file”, or drag the CSV file and drop it here.'),
    chosen,
  );
  let dragDepth = 0;
  dropzone.addEventListener('dragenter', (event) => {
    event.preventDefault();
    dragDepth += 1;
    dropzone.classList.add('dragging');
  });
  dropzone.addEventListener('dragover', (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  });
  dropzone.addEventListener('dragleave', () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) dropzone.classList.remove('dragging');
  });
  dropzone.addEventListener('drop', (event) => {
    event.preventDefault();
    dragDepth = 0;
    dropzone.classList.remove('dragging');
    const files = event.dataTransfer?.files;
    if (!files || files.length === 0) return;
    if (files.length > 1) {
      errors.show(new Error('Drop one CSV file at a time.'));
      return;
    }
    errors.clear();
    fileInput.files = files;
    showChosen();
    context.announce(`${files[0].name} chosen.`);
  });
  // A file dropped beside the drop zone must not make the browser leave the page to open it.
  const ignoreDrop = (event: DragEvent) => {
    if (!dropzone.contains(event.target as Node)) event.preventDefault();
  };
  window.addEventListener('dragover', ignoreDrop);
  window.addEventListener('drop', ignoreDrop);

  const autoInvite = h('input', { type: 'checkbox', id: 'auto-invite', name: 'autoSendInvites', 'aria-describedby': 'auto-invite-help' });
  const dryRun = h('input', { type: 'checkbox', id: 'dry-run', name: 'dryRun', 'aria-describedby': 'dry-run-help' });
  const submit = h('button', { type: 'submit', id: 'import-now' }, 'Import Now');

  const form = h(
    'form',
    { id: 'import-form', class: 'card', novalidate: true },
    h(
      'fieldset',
      {},
      h('legend', {}, 'Existing users'),
      modeOption('skip', true),
      modeOption('update', false),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Additional configurations'),
      h(
        'div',
        { class: 'choice' },
        autoInvite,
        h('label', { for: 'auto-invite' }, 'Auto send invites to all newly created users'),
        h(
          'p',
          { class: 'help', id: 'auto-invite-help' },
          'Unticked, no e-mail goes out to the imported users: once the import is done you are e-mailed a link to invite them, and the report below offers the same button.',
        ),
      ),
      h(
        'div',
        { class: 'choice' },
        dryRun,
        h('label', { for: 'dry-run' }, 'Dry run first'),
        h('p', { class: 'help', id: 'dry-run-help' }, 'Reads and checks the whole file and shows what the import would do, changing nothing; then you confirm to import it for real.'),
      ),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'The file'),
      dropzone,
      h(
        'p',
        { class: 'template' },
        h('a', { href: 'users-template.csv', download: 'office-chat-users-template.csv', id: 'template-link' }, 'Download CSV template'),
        ' with the headings ',
        h('code', {}, TEMPLATE_HEADINGS),
      ),
      h(
        'details',
        { class: 'format' },
        h('summary', {}, 'How to fill in the CSV file'),
        h(
          'ul',
          {},
          h('li', {}, 'The first line is the field headings; every other line is one user. Only the e-mail column (email/login) is required.'),
          h('li', {}, 'Surround each field with quotes, and do not put quotes inside a value. A field without a value is just the two quotes: ""'),
          h('li', {}, 'Each line must have as many fields as there are headings, even when they are empty.'),
          h(
            'li',
            {},
            'Enabled: ',
            h('strong', {}, 'TRUE'),
            ' activates an existing deactivated user, or creates the user if it is new; ',
            h('strong', {}, 'FALSE'),
            ' deactivates an existing active user, and never creates one; left blank, the user’s state is not touched.',
          ),
          h('li', {}, 'manager is the e-mail of another user of the network or of the same file.'),
        ),
      ),
    ),
    errors.element,
    progress.box,
    h('div', { class: 'actions' }, submit),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(submit, async () => {
      errors.clear();
      const file = fileInput.files?.[0];
      if (!file) {
        errors.show(new Error('Choose the CSV file to import first.'));
        fileInput.focus();
        return;
      }
      const mode = (form.querySelector('input[name="mode"]:checked') as HTMLInputElement | null)?.value === 'update' ? 'update' : 'skip';
      try {
        await startImport(context, file, { mode, autoSendInvites: autoInvite.checked, dryRun: dryRun.checked }, progress);
      } catch (error) {
        progress.box.hidden = true;
        errors.show(error);
      }
    });
  });

  const recent = h('section', { class: 'recent', 'aria-labelledby': 'recent-heading' }, h('h2', { id: 'recent-heading' }, 'Recent imports'), h('p', { class: 'muted' }, 'Loading…'));

  append(main, [
    breadcrumb('Users', 'Invite Users', 'Import Users'),
    h('h1', {}, 'Import Users'),
    h('p', { class: 'lead' }, `Invite people in bulk to network ${context.session.network}: upload a CSV file whose first line is the field headings and every other line one user.`),
    form,
    recent,
  ]);
  void loadRecentImports(context, recent);

  return () => {
    window.removeEventListener('dragover', ignoreDrop);
    window.removeEventListener('drop', ignoreDrop);
  };
};

async function loadRecentImports(context: Context, section: HTMLElement): Promise<void> {
  const heading = section.querySelector('h2')!;
  try {
    const { items } = await context.api.listImports(context.session.network, 10);
    if (items.length === 0) {
      fill(section, heading, h('p', { class: 'muted' }, 'No import yet in this network.'));
      return;
    }
    fill(
      section,
      heading,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ['File', 'Started', 'Status', 'Existing users', 'Created', 'Updated', 'Rejected'].map((c) => h('th', { scope: 'col' }, c)))),
          h(
            'tbody',
            {},
            items.map((r) =>
              h(
                'tr',
                {},
                h('td', {}, h('a', { href: `#/imports/${encodeURIComponent(r.id)}` }, r.fileName), r.dryRun ? h('span', { class: 'badge' }, 'dry run') : null),
                h('td', {}, formatDateTime(r.startedAt)),
                h('td', {}, h('span', { class: `status status-${r.status}` }, r.status)),
                h('td', {}, r.mode === 'update' ? 'Update' : 'Skip'),
                h('td', { class: 'num' }, formatNumber(r.counts.created)),
                h('td', { class: 'num' }, formatNumber(r.counts.updated)),
                h('td', { class: 'num' }, formatNumber(r.counts.rejected)),
              ),
            ),
          ),
        ),
      ),
    );
  } catch (error) {
    const errors = errorBox();
    errors.show(error);
    fill(section, heading, errors.element);
  }
}

// ---------------------------------------------------------------------------------------------------------
// One import: progress while it runs, then its report
// ---------------------------------------------------------------------------------------------------------

/** Finds the import in the selected network first, then in the token's other networks (e-mail links carry no network). */
async function findImport(context: Context, importId: string): Promise<ImportReport | null> {
  const { session } = context;
  const order = [session.network, ...session.claims.networks.filter((n) => n !== session.network)];
  for (const network of order) {
    try {
      const report = await context.api.getImport(network, importId);
      if (network !== session.network) context.switchNetwork(network);
      return report;
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 400 || error.status === 403)) continue;
      throw error;
    }
  }
  return null;
}

/** Rows per second over the last few seconds of polling. */
class RateMeter {
  private samples: { at: number; rows: number }[] = [];

  add(rows: number): number | null {
    const now = performance.now();
    this.samples.push({ at: now, rows });
    while (this.samples.length > 2 && now - this.samples[0].at > 5_000) this.samples.shift();
    const first = this.samples[0];
    const seconds = (now - first.at) / 1000;
    if (seconds < 0.4 || rows <= first.rows) return this.samples.length > 1 && rows === first.rows ? 0 : null;
    return (rows - first.rows) / seconds;
  }
}

export function importReportView(importId: string, options: { invite: boolean }): View {
  return (main, context) => {
    let stopped = false;
    let timer: number | undefined;
    const errors = errorBox();
    const title = h('h1', {}, options.invite ? 'Invite the imported users' : 'Import report');
    const meta = h('div', { class: 'meta' });
    const bar = h('progress', { id: 'import-progress', 'aria-labelledby': 'import-progress-label' });
    const progressText = h('p', { class: 'progress-text', id: 'import-progress-text' });
    const cancel = h('button', { type: 'button', class: 'secondary', id: 'cancel-import', hidden: true }, 'Cancel import');
    const cancelStatus = h('p', { class: 'muted', role: 'status', id: 'cancel-status' });
    const progressSection = h(
      'section',
      { class: 'card progress-box', id: 'progress-section', 'aria-labelledby': 'import-progress-label', 'aria-busy': 'true' },
      h('h2', { id: 'import-progress-label' }, 'Progress'),
      bar,
      progressText,
      h('div', { class: 'actions' }, cancel),
      cancelStatus,
    );
    const result = h('div', { id: 'result' });
    append(main, [breadcrumb(h('a', { href: '#/import' }, 'Import Users'), 'Report'), title, meta, errors.element, progressSection, result]);
    fill(progressText, 'Looking for the import…');

    const rate = new RateMeter();
    let network = context.session.network;
    let lastStatus: string | null = null;
    let lastPhaseText: string | null = null;
    let failures = 0;

    cancel.addEventListener('click', () =>
      whileBusy(cancel, async () => {
        const question =
          lastStatus === 'queued'
            ? 'Cancel this import? It has not started: nothing of the file is applied.'
            : 'Cancel this import? The rows it has already applied stay; nothing more of the file is applied.';
        if (!window.confirm(question)) return;
        errors.clear();
        try {
          const r = await context.api.cancelImport(network, importId);
          cancelStatus.textContent = finished(r) ? 'The import is cancelled.' : 'Cancelling: the import stops after the batch being written.';
          window.clearTimeout(timer);
          void poll();
        } catch (error) {
          errors.show(error);
        }
      }),
    );

    const renderMeta = (r: ImportReport) => {
      fill(
        meta,
        h(
          'dl',
          { class: 'facts' },
          h('div', {}, h('dt', {}, 'File'), h('dd', { id: 'report-file' }, r.fileName, r.dryRun ? h('span', { class: 'badge' }, 'dry run') : null)),
          h('div', {}, h('dt', {}, 'Network'), h('dd', {}, r.networkId)),
          h('div', {}, h('dt', {}, 'Existing users'), h('dd', {}, MODE_HELP[r.mode].label)),
          h('div', {}, h('dt', {}, 'Auto send invites'), h('dd', {}, r.autoSendInvites ? 'Yes' : 'No')),
          h('div', {}, h('dt', {}, 'Status'), h('dd', {}, h('span', { class: `status status-${r.status}`, id: 'report-status' }, r.status))),
          h('div', {}, h('dt', {}, 'Started'), h('dd', {}, formatDateTime(r.startedAt))),
          h('div', {}, h('dt', {}, 'Finished'), h('dd', {}, formatDateTime(r.finishedAt))),
        ),
      );
    };

    const renderProgress = (r: ImportReport) => {
      const rows = r.counts.rows;
      let phase: string;
      if (r.status === 'queued') {
        bar.removeAttribute('value');
        phase = 'Waiting for the import to start…';
        fill(progressText, phase);
      } else if (r.status === 'running' && r.totalRows === null && r.estimatedRows === null) {
        bar.removeAttribute('value');
        phase = 'Reading and checking the file…';
        fill(progressText, phase);
      } else if (r.stage === 'linking-managers') {
        // Rows no longer move; a full bar at "0 rows/s" would look hung.
        bar.removeAttribute('value');
        phase = 'Setting the managers named on later lines of the file…';
        fill(progressText, `All ${plural(r.totalRows ?? rows, 'row', 'rows')} read. ${phase}`);
      } else {
        // Until the file has been read, its line count from the upload stands in for the rows to come.
        const total = r.totalRows ?? Math.max(r.estimatedRows ?? rows, rows);
        // A failed or cancelled import stops where it got to: its bar is not full.
        const complete = r.status === 'completed';
        bar.max = Math.max(total, 1);
        bar.value = complete ? bar.max : Math.min(rows, total);
        const perSecond = finished(r) ? null : rate.add(rows);
        const percent = complete ? 100 : total > 0 ? Math.floor((Math.min(rows, total) / total) * 100) : 0;
        phase = finished(r) ? 'Done.' : 'Importing…';
        const parts = [
          h('strong', { id: 'rows-done' }, formatNumber(rows)),
          ` of `,
          h('strong', { id: 'rows-total' }, formatNumber(total)),
          ` rows (${percent} %)`,
        ];
        if (perSecond !== null) {
          parts.push(` · `, h('span', { id: 'rows-per-second' }, `${formatNumber(Math.round(perSecond))} rows/s`));
          if (perSecond > 0 && total > rows) parts.push(` · about ${formatDuration(((total - rows) / perSecond) * 1000)} left`);
        }
        if (finished(r) && r.startedAt && r.finishedAt) {
          const ms = Date.parse(r.finishedAt) - Date.parse(r.startedAt);
          if (ms < 1000) parts.push(' · took under a second');
          else parts.push(` · took ${formatDuration(ms)} (${formatNumber(Math.round(rows / (ms / 1000)))} rows/s)`);
        }
        fill(progressText, ...parts);
      }
      // Once the import has ended there is nothing to cancel: the focus goes on to its report (renderResult).
      cancel.hidden = finished(r);
      // "Cancelling…" is over once the import has ended: its report says how.
      if (finished(r)) cancelStatus.textContent = '';
      if (phase !== lastPhaseText && !finished(r)) context.announce(phase.replace('…', '.'));
      lastPhaseText = phase;
      bar.setAttribute('aria-valuetext', progressText.textContent ?? '');
      progressSection.setAttribute('aria-busy', String(!finished(r)));
    };

    const poll = async () => {
      if (stopped) return;
      let report: ImportReport | null;
      try {
        report = lastStatus === null ? await findImport(context, importId) : await context.api.getImport(network, importId);
        failures = 0;
        errors.clear();
      } catch (error) {
        if (stopped) return;
        failures += 1;
        errors.show(error);
        // The service may be restarting: keep trying, more slowly.
        if (!(error instanceof ApiError && error.status === 401)) timer = window.setTimeout(poll, Math.min(10_000, POLL_INTERVAL_MS * 2 ** failures));
        return;
      }
      if (stopped) return;
      if (!report) {
        progressSection.hidden = true;
        errors.show(new Error(`There is no import ${importId} in your network${context.session.claims.networks.length > 1 ? 's' : ''}. Check the link, or open it from the Import Users tab.`));
        return;
      }
      network = report.networkId;
      renderMeta(report);
      renderProgress(report);
      if (report.status !== lastStatus) {
        lastStatus = report.status;
        if (finished(report)) {
          await renderResult(report);
          return;
        }
      }
      if (!finished(report)) timer = window.setTimeout(poll, POLL_INTERVAL_MS);
    };

    const renderResult = async (report: ImportReport) => {
      title.textContent = `${options.invite ? 'Invite the imported users' : report.dryRun ? 'Dry run report' : 'Import report'}: ${report.fileName}`;
      context.announce(summarySentence(report));
      fill(result);
      if (report.dryRun) result.appendChild(dryRunPanel(context, report));
      if (report.status === 'failed') {
        const cancelled = report.cancelledBy !== undefined;
        const failed = h(
          'section',
          { class: 'card failed', 'aria-labelledby': 'failed-heading' },
          h('h2', { id: 'failed-heading', tabindex: '-1' }, cancelled ? 'The import was cancelled' : 'The import failed'),
          h('p', { id: 'failure-reason' }, report.failureReason ?? 'The import stopped because of an unexpected error.'),
          retryAdvice(report, cancelled),
        );
        result.appendChild(failed);
        if (document.activeElement === cancel || document.activeElement === document.body) focusTarget(failed.querySelector('h2')!);
      }
      // Followed from the e-mail's invite link: the button comes first.
      const invite = inviteSection(context, report, options.invite);
      if (invite && options.invite) result.appendChild(invite.section);
      result.appendChild(summarySection(report));
      if (report.warnings.length > 0) result.appendChild(warningsSection(report));
      if (report.counts.rejected > 0) result.appendChild(await rejectedSection(context, report));
      if (invite && !options.invite) result.appendChild(invite.section);
      if (options.invite) focusTarget(invite?.focus ?? title);
    };

    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  };
}

/**
 * How to import the rest of a file whose import stopped, once it had changed something. What a second upload does
 * to the users the first one created depends on the mode: skipped, they keep the managers it had not linked yet (named on lines it did not
 * reach) unset; updated, they get them, and so do the users that existed before, who are updated too.
 */
function retryAdvice(r: ImportReport, cancelled: boolean): HTMLElement {
  const c = r.counts;
  if (c.created + c.updated + c.activated + c.deactivated === 0) {
    const again = cancelled ? 'Nothing was changed. To import the file, upload it' : 'Nothing was changed. Fix what the reason points at, then upload the file';
    return h('p', {}, `${again} again on the `, h('a', { href: '#/import' }, 'Import Users'), ' tab.');
  }
  const upload = [cancelled ? 'To import the rest, upload' : 'Fix what the reason points at, then upload', ' the file again on the ', h('a', { href: '#/import' }, 'Import Users'), ' tab'];
  return r.mode === 'update'
    ? h('p', {}, 'Rows already applied stay applied. ', ...upload, ' with “Update existing users”, as this import did: rows already right come out as unchanged, and the managers named on lines it did not reach are set.')
    : h(
        'p',
        {},
        'Rows already applied stay applied. ',
        ...upload,
        '. With “Skip existing users” the users this import created are skipped, so a manager it had not linked for them yet stays unset; “Update existing users” sets those managers, but also updates the users that existed before.',
      );
}

function summarySentence(r: ImportReport): string {
  if (r.status === 'failed') return r.cancelledBy !== undefined ? `The import was cancelled. ${r.failureReason ?? ''}` : `The import failed: ${r.failureReason ?? 'unexpected error'}.`;
  const c = r.counts;
  const verb = r.dryRun ? 'Dry run finished, nothing changed' : 'Import finished';
  return `${verb}: ${plural(c.rows, 'row', 'rows')}; ${formatNumber(c.created)} created, ${formatNumber(c.updated)} updated, ${formatNumber(c.unchanged)} unchanged, ${formatNumber(c.skipped)} skipped, ${formatNumber(c.rejected)} rejected.`;
}

function summarySection(r: ImportReport): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'summary-heading', id: 'summary' },
    h('h2', { id: 'summary-heading' }, r.dryRun ? 'What the import would do' : 'Summary'),
    h('p', { class: 'summary-sentence' }, summarySentence(r)),
    h(
      'dl',
      { class: 'counts' },
      COUNT_LABELS.map(([key, label, hint]) =>
        h(
          'div',
          { class: `count count-${key}${r.counts[key] > 0 ? ' nonzero' : ''}`, 'data-count': key },
          h('dt', {}, label, h('span', { class: 'hint' }, hint)),
          h('dd', {}, formatNumber(r.counts[key])),
        ),
      ),
    ),
  );
}

function warningsSection(r: ImportReport): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'warnings-heading', id: 'warnings' },
    h('h2', { id: 'warnings-heading' }, `Warnings (${formatNumber(r.warningCount)})`),
    h('p', { class: 'help' }, 'None of these stopped the import: each says what was ignored or left as it was.'),
    h('ul', { class: 'warnings' }, r.warnings.map((w) => h('li', {}, w))),
  );
}

async function rejectedSection(context: Context, r: ImportReport): Promise<HTMLElement> {
  const errors = errorBox();
  const downloadStatus = h('p', { class: 'muted', role: 'status' });
  const download = h('button', { type: 'button', id: 'download-errors', class: 'secondary' }, 'Download errors as CSV');
  download.addEventListener('click', () =>
    whileBusy(download, async () => {
      errors.clear();
      downloadStatus.textContent = 'Preparing the file…';
      try {
        const { blob, fileName } = await context.api.importErrorsCsv(r.networkId, r.id);
        saveBlob(blob, fileName);
        downloadStatus.textContent = `Saved ${fileName}.`;
      } catch (error) {
        downloadStatus.textContent = '';
        errors.show(error);
      }
    }),
  );

  const body = h('tbody', {});
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more rejected rows');
  let after: number | null = 0;
  const loadPage = async () => {
    if (after === null) return;
    try {
      const page = await context.api.importErrors(r.networkId, r.id, after, 100);
      const added = page.items.map((row) =>
        h('tr', {}, h('td', { class: 'num' }, String(row.line)), h('td', {}, row.email ?? '—'), h('td', {}, row.error)),
      );
      append(body, added);
      after = page.nextAfter;
      // The last page hides the button: the focus goes on to the first row it added instead of back to the page.
      if (after === null && document.activeElement === more && added.length > 0) {
        added[0].tabIndex = -1;
        added[0].focus();
      }
      more.hidden = after === null;
    } catch (error) {
      errors.show(error);
    }
  };
  more.addEventListener('click', () => void whileBusy(more, loadPage));
  await loadPage();

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'rejected-heading', id: 'rejected' },
    h('h2', { id: 'rejected-heading' }, `Rejected rows (${formatNumber(r.counts.rejected)})`),
    h('p', { class: 'help' }, 'These lines were not imported. Download them as a CSV (their original fields plus the line and the error), fix them, and upload that file again.'),
    h('div', { class: 'actions' }, download),
    downloadStatus,
    errors.element,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { id: 'rejected-rows' },
        h('caption', { class: 'visually-hidden' }, 'Rejected rows: line number in the file, e-mail and reason'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, 'Line'), h('th', { scope: 'col' }, 'E-mail'), h('th', { scope: 'col' }, 'Reason'))),
        body,
      ),
    ),
    more,
  );
}

/** "Invite the imported users" when the import created users without sending invites; or why there is nothing to do. */
function inviteSection(context: Context, r: ImportReport, asked: boolean): { section: HTMLElement; focus: HTMLElement } | null {
  const created = r.counts.created;
  const heading = h('h2', { id: 'invite-heading' }, 'Invite the imported users');
  const section = h('section', { class: 'card invite', id: 'invite', 'aria-labelledby': 'invite-heading' }, heading);
  const finished = r.status === 'completed' || r.status === 'failed';
  if (finished && !r.dryRun && created > 0 && !r.autoSendInvites && r.invitationsRequested === null) {
    const status = h('p', { id: 'invite-status', role: 'status', class: 'invite-status' });
    const errors = errorBox();
    const button = h('button', { type: 'button', id: 'invite-button' }, 'Invite the imported users');
    button.addEventListener('click', () =>
      whileBusy(button, async () => {
        errors.clear();
        status.textContent = 'Requesting the invitations…';
        try {
          const { requested } = await context.api.requestInvitations(r.networkId, r.id);
          status.classList.add('success');
          status.textContent =
            requested > 0
              ? `Invitations requested for ${plural(requested, 'user', 'users')}.`
              : 'No invitation was requested: every user this import created has already been invited.';
          // Done once: the button goes, and the keyboard goes to the sentence that replaces it.
          button.hidden = true;
          focusTarget(status);
        } catch (error) {
          status.textContent = '';
          errors.show(error);
        }
      }),
    );
    append(section, [
      h(
        'p',
        {},
        `${r.status === 'failed' ? 'Before it stopped, this import created' : 'This import created'} ${plural(created, 'user', 'users')} and no e-mail has gone out to them yet. Send each of them an invitation to Office Chat (users already invited are not invited twice).`,
      ),
      h('div', { class: 'actions' }, button),
      status,
      errors.element,
    ]);
    return { section, focus: button };
  }
  if (!asked && !(finished && !r.dryRun && created > 0)) return null;
  let why: string;
  if (r.dryRun) why = 'A dry run creates nobody: there is nobody to invite yet.';
  else if (!finished) why = 'This import is still running: its users can be invited once it has finished.';
  else if (created === 0) why = 'This import created no user, so there is nobody to invite.';
  else if (r.invitationsRequested !== null) {
    why = `Invitations were requested for the ${plural(created, 'user', 'users')} this import created, by ${r.invitationsRequested.by} on ${formatDateTime(r.invitationsRequested.at)}.`;
  } else why = `Invitations were requested automatically for the ${plural(created, 'user', 'users')} this import created.`;
  const text = h('p', { id: 'invite-status' }, why);
  section.appendChild(text);
  return { section, focus: heading };
}

/** After a dry run started from the form: the same file and settings, imported for real on confirmation. */
function dryRunPanel(context: Context, r: ImportReport): HTMLElement {
  const panel = h('section', { class: 'card notice', id: 'dry-run-panel', 'aria-labelledby': 'dry-run-heading' }, h('h2', { id: 'dry-run-heading' }, 'Dry run: nothing was changed'));
  const pending = awaitingConfirmation?.dryRunId === r.id ? awaitingConfirmation : null;
  if (r.status !== 'completed') {
    panel.appendChild(h('p', {}, 'The dry run did not complete; see why below.'));
    return panel;
  }
  if (!pending) {
    append(panel, [h('p', {}, 'This is what importing the file would do. To import it, choose it again on the ', h('a', { href: '#/import' }, 'Import Users'), ' tab with “Dry run first” unticked.')]);
    return panel;
  }
  const errors = errorBox();
  const progress = uploadProgress();
  const confirm = h('button', { type: 'button', id: 'confirm-import' }, 'Import Now');
  confirm.addEventListener('click', () =>
    whileBusy(confirm, async () => {
      errors.clear();
      try {
        await startImport(context, pending.file, { mode: pending.mode, autoSendInvites: pending.autoSendInvites, dryRun: false }, progress);
      } catch (error) {
        progress.box.hidden = true;
        errors.show(error);
      }
    }),
  );
  append(panel, [
    h(
      'p',
      {},
      `This is what importing ${pending.file.name} would do (${MODE_HELP[pending.mode].label}, ${pending.autoSendInvites ? 'with' : 'without'} invites to the new users). Import it for real now, or `,
      h('a', { href: '#/import' }, 'choose another file'),
      '.',
    ),
    errors.element,
    progress.box,
    h('div', { class: 'actions' }, confirm),
  ]);
  return panel;
}
