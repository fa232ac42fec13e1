import { singleRecipient } from './mail-address.js';

/**
 * What this module needs to know about a finished import. Declared here rather than imported so the domain
 * stays free of other modules; the imports module's report satisfies it structurally.
 */
export interface FinishedImport {
  readonly id: string;
  readonly networkId: string;
  readonly status: 'queued' | 'running' | 'completed' | 'failed';
  readonly mode: 'skip' | 'update';
  readonly autoSendInvites: boolean;
  readonly dryRun: boolean;
  readonly fileName: string;
  readonly counts: ImportCountsView;
  /** The first warnings; the report may end them with a line of its own saying how many more there were. */
  readonly warnings: readonly string[];
  /** Every warning the import gave, however many the report keeps. */
  readonly warningCount: number;
  readonly failureReason?: string;
  /** Who asked for the import to stop: a failed import with one was cancelled. */
  readonly cancelRequestedBy?: string | null;
  readonly finishedAt: string | null;
}

export interface ImportCountsView {
  readonly rows: number;
  readonly created: number;
  readonly updated: number;
  readonly activated: number;
  readonly deactivated: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly rejected: number;
}

/** A long list of warnings would bury the rest of the message; the import page has them all. */
export const MAX_WARNINGS_IN_MAIL = 20;

/** Characters of the file name in a subject; the whole name is in the body. */
export const MAX_FILE_NAME_IN_SUBJECT = 40;

export interface ImportMailHeader {
  readonly networkId: string;
  readonly importId: string;
  readonly fileName: string;
  /** The file name as the subject shows it: short enough that an inbox list still shows the counts after it. */
  readonly subjectFileName: string;
  readonly modeLabel: string;
  readonly finishedAt: string;
  readonly importPageUrl: string;
}

/** The counts as the mail shows them: digits grouped (39,960), as the admin page does. */
export type ShownCounts = { readonly [K in keyof ImportCountsView]: string };

/** Which opening sentence the completed mail has; exactly one is set, so it never says users were imported when none were. */
export interface CompletedOutcome {
  readonly imported: boolean;
  /** The file had its headings and no user. */
  readonly noUsers: boolean;
  /** Every row was rejected: "all 10 rows were rejected". */
  readonly allRejected: string | null;
  /** No user changed and no row was rejected. */
  readonly nothingChanged: boolean;
  /** No user changed; some rows were rejected, the others skipped or already up to date. */
  readonly nothingChangedSomeRejected: boolean;
}

export interface ImportCompletedModel extends ImportMailHeader {
  readonly outcome: CompletedOutcome;
  readonly counts: ShownCounts;
  readonly hasWarnings: boolean;
  readonly warnings: readonly string[];
  /** Warnings left out of the mail, digits grouped; null when all are shown. */
  readonly moreWarnings: string | null;
  readonly errorReport: { readonly rejectedRows: string; readonly pageUrl: string; readonly apiUrl: string } | null;
  readonly invite: InviteLinks | null;
  /** Set when the import requested the invitations itself, so the admin knows not to look for a link. */
  readonly invitedAutomatically: { readonly newUsers: string } | null;
}

export interface InviteLinks {
  readonly newUsers: string;
  readonly pageUrl: string;
  readonly apiUrl: string;
}

export interface ImportFailedModel extends ImportMailHeader {
  readonly reason: string;
  /** Who cancelled it, when it stopped because an admin asked: the mail then says so, not that it failed. */
  readonly cancelledBy: string | null;
  /** The number of the "upload it again" step: a cancel has no file to fix before it. */
  readonly uploadStep: number;
  /** What the import had done before it stopped, when it had done anything. */
  readonly progress: ShownCounts | null;
  /**
   * What a second upload does to the users it created, once it had done something, by its mode: update mode sets the
   * managers it had not linked yet (named on lines it did not reach); skip mode skips those users, managers and all.
   */
  readonly reuploadUpdates: boolean;
  readonly reuploadSkips: boolean;
  /** The users it created before it stopped can be invited all the same: uploading the file again skips them. */
  readonly invite: InviteLinks | null;
}

export type MailTemplate =
  | { readonly name: 'import-completed'; readonly model: ImportCompletedModel }
  | { readonly name: 'import-failed'; readonly model: ImportFailedModel };

export type ImportMailDecision =
  | { readonly send: true; readonly recipient: string; readonly template: MailTemplate }
  | { readonly send: false; readonly reason: string };

const GENERIC_FAILURE =
  'The import stopped because of an unexpected error on our side, not because of your file. ' +
  'Please upload the file again; if it fails again, contact support with the import ID above.';

/** Where an admin goes from the mail; ids are encoded because they end up inside URLs. */
export class ImportLinks {
  private readonly base: string;

  constructor(publicBaseUrl: string) {
    this.base = publicBaseUrl.replace(/\/+$/, '');
  }

  importPage(importId: string): string {
    return `${this.base}/admin/#/imports/${encodeURIComponent(importId)}`;
  }

  invitePage(importId: string): string {
    return `${this.importPage(importId)}/invite`;
  }

  errorsApi(networkId: string, importId: string): string {
    return `${this.importApi(networkId, importId)}/errors`;
  }

  invitationsApi(networkId: string, importId: string): string {
    return `${this.importApi(networkId, importId)}/invitations`;
  }

  private importApi(networkId: string, importId: string): string {
    return `${this.base}/api/v1/networks/${encodeURIComponent(networkId)}/imports/${encodeURIComponent(importId)}`;
  }
}

/**
 * Decides whether a finished import is mailed, to whom, and with what. A dry run changes nothing, so there is
 * nothing to tell; an import without a valid requester address has nobody to tell.
 */
export function importMailFor(report: FinishedImport, requesterEmail: string | undefined, links: ImportLinks): ImportMailDecision {
  if (report.dryRun) return { send: false, reason: 'dry run' };
  if (report.status !== 'completed' && report.status !== 'failed') {
    return { send: false, reason: `import is ${report.status}, not finished` };
  }
  if (requesterEmail === undefined || requesterEmail.trim() === '') return { send: false, reason: 'no recipient address' };
  const recipient = singleRecipient(requesterEmail);
  if (recipient === null) return { send: false, reason: 'recipient address is not a single valid e-mail address' };
  const template: MailTemplate =
    report.status === 'completed'
      ? { name: 'import-completed', model: importCompletedModel(report, links) }
      : { name: 'import-failed', model: importFailedModel(report, links) };
  return { send: true, recipient, template };
}

function importCompletedModel(report: FinishedImport, links: ImportLinks): ImportCompletedModel {
  const { counts } = report;
  // Never past warningCount: what follows the real warnings in a report is its own "… and N more" line.
  const shown = report.warnings.slice(0, Math.min(MAX_WARNINGS_IN_MAIL, report.warningCount));
  const more = Math.max(0, report.warningCount - shown.length);
  return {
    ...header(report, links),
    outcome: completedOutcome(counts),
    counts: shownCounts(counts),
    hasWarnings: shown.length > 0,
    warnings: shown,
    moreWarnings: more > 0 ? grouped(more) : null,
    errorReport:
      counts.rejected > 0
        ? {
            rejectedRows: plural(counts.rejected, 'row', 'rows'),
            pageUrl: links.importPage(report.id),
            apiUrl: links.errorsApi(report.networkId, report.id),
          }
        : null,
    invite: inviteLinks(report, links),
    invitedAutomatically:
      counts.created > 0 && report.autoSendInvites ? { newUsers: plural(counts.created, 'new user', 'new users') } : null,
  };
}

function completedOutcome(counts: ImportCountsView): CompletedOutcome {
  const changed = counts.created + counts.updated + counts.activated + counts.deactivated;
  const noUsers = counts.rows === 0;
  const allRejected = !noUsers && counts.rejected === counts.rows;
  const unchanged = !noUsers && !allRejected && changed === 0;
  return {
    imported: !noUsers && !allRejected && !unchanged,
    noUsers,
    allRejected: allRejected ? (counts.rows === 1 ? 'its one row was rejected' : `all ${grouped(counts.rows)} rows were rejected`) : null,
    nothingChanged: unchanged && counts.rejected === 0,
    nothingChangedSomeRejected: unchanged && counts.rejected > 0,
  };
}

function importFailedModel(report: FinishedImport, links: ImportLinks): ImportFailedModel {
  const { counts } = report;
  const changed = counts.created + counts.updated + counts.activated + counts.deactivated;
  return {
    ...header(report, links),
    reason: report.failureReason?.trim() || GENERIC_FAILURE,
    cancelledBy: cancelledBy(report),
    uploadStep: cancelledBy(report) === null ? 3 : 2,
    progress: changed > 0 ? shownCounts(counts) : null,
    reuploadUpdates: changed > 0 && report.mode === 'update',
    reuploadSkips: changed > 0 && report.mode === 'skip',
    invite: inviteLinks(report, links),
  };
}

function cancelledBy(report: FinishedImport): string | null {
  return report.status === 'failed' && report.cancelRequestedBy ? report.cancelRequestedBy : null;
}

function inviteLinks(report: FinishedImport, links: ImportLinks): InviteLinks | null {
  if (report.counts.created === 0 || report.autoSendInvites) return null;
  return {
    newUsers: plural(report.counts.created, 'new user', 'new users'),
    pageUrl: links.invitePage(report.id),
    apiUrl: links.invitationsApi(report.networkId, report.id),
  };
}

function header(report: FinishedImport, links: ImportLinks): ImportMailHeader {
  return {
    networkId: report.networkId,
    importId: report.id,
    fileName: report.fileName,
    subjectFileName: shortFileName(report.fileName),
    modeLabel: report.mode === 'update' ? 'Update existing users' : 'Skip existing users',
    finishedAt: formatUtc(report.finishedAt),
    importPageUrl: links.importPage(report.id),
  };
}

/** Cut in the middle, keeping the start and the extension (staff-november….csv), never inside an emoji. */
function shortFileName(name: string): string {
  const chars = [...name];
  if (chars.length <= MAX_FILE_NAME_IN_SUBJECT) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 10 ? [...name.slice(dot)] : [];
  return `${chars.slice(0, MAX_FILE_NAME_IN_SUBJECT - 1 - extension.length).join('').trimEnd()}…${extension.join('')}`;
}

function plural(n: number, one: string, many: string): string {
  return `${grouped(n)} ${n === 1 ? one : many}`;
}

/** 39960 → "39,960". */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function shownCounts(counts: ImportCountsView): ShownCounts {
  return {
    rows: grouped(counts.rows),
    created: grouped(counts.created),
    updated: grouped(counts.updated),
    activated: grouped(counts.activated),
    deactivated: grouped(counts.deactivated),
    unchanged: grouped(counts.unchanged),
    skipped: grouped(counts.skipped),
    rejected: grouped(counts.rejected),
  };
}

/** Admins read the time, not an ISO string; UTC because the mail cannot know the reader's zone. */
function formatUtc(iso: string | null): string {
  if (iso === null) return 'unknown';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return 'unknown';
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
