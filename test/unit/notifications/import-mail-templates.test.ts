import type { FinishedImportReport } from '../../../src/modules/imports/application/ports/import-notifications.port.js';
import { ImportLinks, importMailFor, MAX_WARNINGS_IN_MAIL, type MailTemplate } from '../../../src/modules/notifications/domain/import-mail.js';
import type { RenderedMail } from '../../../src/modules/notifications/domain/mail.js';
import { HandlebarsMailRenderer } from '../../../src/modules/notifications/infrastructure/handlebars-mail-renderer.adapter.js';
import { aCompletedImport, aFailedImport, IMPORT_ID, NETWORK_ID, PUBLIC_BASE_URL } from './support/import-report.fixture.js';

const renderer = HandlebarsMailRenderer.fromDirectory();
const links = new ImportLinks(PUBLIC_BASE_URL);

const IMPORT_PAGE = `${PUBLIC_BASE_URL}/admin/#/imports/${IMPORT_ID}`;
const INVITE_PAGE = `${IMPORT_PAGE}/invite`;
const IMPORT_API = `${PUBLIC_BASE_URL}/api/v1/networks/${NETWORK_ID}/imports/${IMPORT_ID}`;
const INVITATIONS_API = `${IMPORT_API}/invitations`;
const ERRORS_API = `${IMPORT_API}/errors`;

function templateFor(report: FinishedImportReport): MailTemplate {
  const decision = importMailFor(report, 'admin@acme.example', links);
  if (!decision.send) throw new Error(`expected a mail, got: ${decision.reason}`);
  return decision.template;
}

function render(report: FinishedImportReport): RenderedMail {
  return renderer.render(templateFor(report));
}

/** Handlebars escapes `=` in HTML; a browser reads `&#x3D;` back as `=`, so links compare after decoding it. */
function htmlText(html: string): string {
  return html.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
}

describe('import-completed e-mail', () => {
  const mail = render(aCompletedImport());

  it('names the file and the main counts in the subject', () => {
    expect(mail.subject).toBe('User import finished: staff-november.csv (42 created, 17 updated, 5 rejected)');
  });

  it.each([
    ['Rows read', 120],
    ['Created', 42],
    ['Updated', 17],
    ['Activated', 3],
    ['Deactivated', 2],
    ['Unchanged', 51],
    ['Skipped', 0],
    ['Rejected', 5],
  ])('shows %s = %d in both parts', (label, value) => {
    expect(mail.text).toMatch(new RegExp(`^  ${label} +${value}$`, 'm'));
    expect(mail.html).toMatch(new RegExp(`>${label}</td><td[^>]*>(<strong>)?${value}<`));
  });

  it('shows the network, the file, the mode and when it finished', () => {
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain(NETWORK_ID);
      expect(part).toContain('staff-november.csv');
      expect(part).toContain('Update existing users');
      expect(part).toContain('2026-11-25 08:00 UTC');
      expect(part).toContain(IMPORT_ID);
    }
  });

  it('lists the warnings', () => {
    const warning = 'Line 7: manager johnny_depp@yahoo.com is not a user of this network, and no line of this file created them (a rejected line, or one with Enabled FALSE, creates nobody); imported without a manager.';
    expect(mail.text).toContain(`WARNINGS\n  - ${warning}\n`);
    expect(mail.html).toContain(`<li style="margin:0 0 4px;">${warning}</li>`);
  });

  it('links to the page that invites the users it created, and names the endpoint behind it', () => {
    expect(mail.text).toContain(`  ${INVITE_PAGE}\n`);
    expect(mail.text).toContain(`POST ${INVITATIONS_API}`);
    expect(htmlText(mail.html)).toContain(`href="${INVITE_PAGE}"`);
    expect(htmlText(mail.html)).toContain(`POST ${INVITATIONS_API}`);
    expect(mail.text).toContain('This import created 42 new users. No e-mail has been sent to them yet.');
  });

  it('links to the error report because rows were rejected', () => {
    expect(mail.text).toContain('Rejected and not imported: 5 rows.');
    expect(mail.text).toContain(`  ${IMPORT_PAGE}\n`);
    expect(mail.text).toContain(`GET ${ERRORS_API}`);
    expect(htmlText(mail.html)).toContain(`href="${IMPORT_PAGE}"`);
    expect(htmlText(mail.html)).toContain(`GET ${ERRORS_API}`);
  });

  it('keeps the text part free of markup and entities', () => {
    expect(mail.text).not.toMatch(/<[a-z/]|&[a-z#0-9]+;/i);
    expect(mail.text.endsWith('replies are not read.\n')).toBe(true);
    expect(mail.text).not.toMatch(/\n{3,}/);
  });

  it('is a complete HTML document with the subject as its title', () => {
    expect(mail.html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(mail.html).toContain(`<title>${mail.subject}</title>`);
    expect(mail.html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('has no invite link when the import created nobody', () => {
    const none = render(aCompletedImport({ counts: { ...aCompletedImport().counts, created: 0 } }));
    expect(none.text).not.toContain(INVITE_PAGE);
    expect(none.text).not.toContain(INVITATIONS_API);
    expect(htmlText(none.html)).not.toContain(INVITE_PAGE);
    expect(none.text).not.toContain('INVITE');
  });

  it('says the invitations went out on their own when auto-send was on, without an invite link', () => {
    const auto = render(aCompletedImport({ autoSendInvites: true }));
    expect(auto.text).not.toContain(INVITE_PAGE);
    expect(htmlText(auto.html)).not.toContain(INVITE_PAGE);
    expect(auto.text).toContain('Invitations to join Office Chat were requested automatically for the 42 new users.');
    expect(auto.html).toContain('requested automatically for the 42 new users.');
  });

  it('has no error report link when nothing was rejected', () => {
    const clean = render(aCompletedImport({ counts: { ...aCompletedImport().counts, rejected: 0 } }));
    expect(clean.text).not.toContain(ERRORS_API);
    expect(clean.text).not.toContain('REJECTED ROWS');
    expect(htmlText(clean.html)).not.toContain(ERRORS_API);
    expect(clean.subject).toContain('0 rejected');
  });

  it('has no warnings section without warnings', () => {
    const quiet = render(aCompletedImport({ warnings: [] }));
    expect(quiet.text).not.toContain('WARNINGS');
    expect(quiet.html).not.toContain('>Warnings<');
  });

  it('shows the first warnings and counts the rest when there are many', () => {
    const warnings = Array.from({ length: MAX_WARNINGS_IN_MAIL + 7 }, (_, i) => `warning number ${i + 1}`);
    const many = render(aCompletedImport({ warnings }));
    expect(many.text).toContain(`warning number ${MAX_WARNINGS_IN_MAIL}\n`);
    expect(many.text).not.toContain(`warning number ${MAX_WARNINGS_IN_MAIL + 1}\n`);
    expect(many.text).toContain('... and 7 more warnings on the import page.');
    expect(many.html).toContain('and 7 more warnings on the');
  });

  it('groups the digits of large numbers, as the admin page shows them', () => {
    const big = render(aCompletedImport({ counts: { ...aCompletedImport().counts, rows: 1_000_000, created: 39_960, rejected: 1_234 } }));
    expect(big.text).toMatch(/^  Rows read +1,000,000$/m);
    expect(big.text).toContain('This import created 39,960 new users.');
    expect(big.text).toContain('Rejected and not imported: 1,234 rows.');
    expect(big.html).toContain('<strong>1,000,000</strong>');
  });

  it('speaks of one user and one row in the singular', () => {
    const one = render(aCompletedImport({ counts: { ...aCompletedImport().counts, created: 1, rejected: 1 } }));
    expect(one.text).toContain('This import created 1 new user.');
    expect(one.text).toContain('Rejected and not imported: 1 row.');
  });

  it('shortens a long file name in the subject, keeping its start, its extension and the counts in view', () => {
    const fileName = `Quarterly staff export for the whole EMEA region ${'x'.repeat(60)}.csv`;
    const long = render(aCompletedImport({ fileName }));
    expect(long.subject).toBe('User import finished: Quarterly staff export for the whol….csv (42 created, 17 updated, 5 rejected)');
    expect([...long.subject].length).toBeLessThanOrEqual(100);
    expect(long.text).toContain(`File:            ${fileName}\n`);
    expect(render(aFailedImport({ fileName })).subject).toBe('User import failed: Quarterly staff export for the whol….csv');
  });

  it('says "Skip existing users" for the skip mode', () => {
    expect(render(aCompletedImport({ mode: 'skip' })).text).toContain('Existing users:  Skip existing users');
  });
});

describe('import-completed e-mail when nothing was imported', () => {
  const none = { rows: 0, created: 0, updated: 0, activated: 0, deactivated: 0, unchanged: 0, skipped: 0, rejected: 0 };

  it('says no user was imported when every row was rejected, and sends the admin to the error report', () => {
    const mail = render(aCompletedImport({ counts: { ...none, rows: 10, rejected: 10 }, warnings: [] }));
    for (const part of [mail.text, htmlText(mail.html)]) {
      expect(part).not.toContain('has imported the users');
      expect(part).not.toContain('INVITE');
    }
    expect(mail.text).toContain('None of the users of "staff-november.csv" were imported into the network acme-corp:\nall 10 rows were rejected.');
    expect(mail.html).toContain('None of the users of <strong>staff-november.csv</strong> were imported into the network <strong>acme-corp</strong>: all 10 rows were rejected.');
    expect(mail.text).toContain(`GET ${ERRORS_API}`);
  });

  it('says nothing changed when every row was skipped or already up to date', () => {
    const mail = render(aCompletedImport({ counts: { ...none, rows: 10, skipped: 6, unchanged: 4 }, warnings: [] }));
    for (const part of [mail.text, htmlText(mail.html)]) expect(part).not.toContain('has imported the users');
    expect(mail.text).toContain('Nothing changed in the network acme-corp: every user in "staff-november.csv"\nwas skipped or already up to date.');
    expect(mail.html).toContain('Nothing changed in the network <strong>acme-corp</strong>: every user in <strong>staff-november.csv</strong> was skipped or already up to date.');
  });

  it('says nothing changed when no user changed and some rows were rejected, and speaks of one row in the singular', () => {
    const mixed = render(aCompletedImport({ counts: { ...none, rows: 10, skipped: 6, rejected: 4 }, warnings: [] }));
    expect(mixed.text).toContain('Nothing changed in the network acme-corp: the rows of "staff-november.csv"\nwere skipped, already up to date or rejected.');
    expect(mixed.text).toContain('Rejected and not imported: 4 rows.');
    const one = render(aCompletedImport({ counts: { ...none, rows: 1, rejected: 1 }, warnings: [] }));
    expect(one.text).toContain('into the network acme-corp:\nits one row was rejected.');
  });

  it('says the file had no users when it had no rows', () => {
    const mail = render(aCompletedImport({ counts: none, warnings: ['The file has no users: only a heading line.'] }));
    for (const part of [mail.text, htmlText(mail.html)]) expect(part).not.toContain('has imported the users');
    expect(mail.text).toContain('The file "staff-november.csv" has no users in it: nothing changed in the network\nacme-corp.');
    expect(mail.html).toContain('The file <strong>staff-november.csv</strong> has no users in it: nothing changed in the network <strong>acme-corp</strong>.');
  });
});

describe('import-failed e-mail', () => {
  const mail = render(aFailedImport());

  it('says it failed in the subject', () => {
    expect(mail.subject).toBe('User import failed: staff-november.csv');
  });

  it('gives the reason and what to do next in both parts', () => {
    expect(mail.text).toContain('WHY\nThe file has no "email/login" column. The first line must hold the field headings.\n');
    expect(mail.html).toContain('The file has no &quot;email/login&quot; column.');
    expect(mail.text).toContain('WHAT TO DO NEXT');
    expect(mail.text).toContain('Upload it again from Users -> Invite Users -> Import Users.');
    expect(mail.html).toContain('What to do next');
    expect(mail.text).toContain(`   ${IMPORT_PAGE}\n`);
    expect(htmlText(mail.html)).toContain(`href="${IMPORT_PAGE}"`);
  });

  it('offers no invite or error report link', () => {
    expect(mail.text).not.toContain(INVITE_PAGE);
    expect(mail.text).not.toContain(ERRORS_API);
  });

  it('falls back to a plain explanation when the import gave no reason, pointing at the import ID where it is', () => {
    const { failureReason: _, ...withoutReason } = aFailedImport();
    const vague = render(withoutReason);
    expect(vague.text).toContain('unexpected error on our side, not because of your file');
    // The ID is in the details, before the reason.
    expect(vague.text.indexOf(IMPORT_ID)).toBeLessThan(vague.text.indexOf('WHY'));
    expect(vague.text).not.toContain('import ID below');
    expect(vague.text).toContain('contact support with the import ID above.');
  });

  it('does not tell the admin to fix a file the failure was not about', () => {
    const { failureReason: _, ...withoutReason } = aFailedImport();
    const vague = render(withoutReason);
    for (const part of [vague.text, vague.html]) {
      expect(part).not.toMatch(/^\d\. Fix the file/m);
      expect(part).not.toContain('>Fix the file');
    }
    expect(vague.text).toContain('2. If the reason above is about your file, fix it: the first line holds the field');
    expect(vague.html).toContain('If the reason above is about your file, fix it: the first line holds the field headings');
  });

  it('shows what had been done before it stopped, and only then', () => {
    expect(mail.text).not.toContain('DONE BEFORE IT STOPPED');
    const partial = render(
      aFailedImport({ counts: { rows: 4000, created: 2000, updated: 0, activated: 0, deactivated: 0, unchanged: 0, skipped: 0, rejected: 0 } }),
    );
    expect(partial.text).toContain('DONE BEFORE IT STOPPED');
    expect(partial.text).toMatch(/^  Created +2,000$/m);
    expect(partial.html).toContain('Done before it stopped');
  });

  it('says what uploading again does in its mode once it had applied rows: skip mode skips the users it created, managers and all', () => {
    const counts = { rows: 4000, created: 2000, updated: 0, activated: 0, deactivated: 0, unchanged: 0, skipped: 0, rejected: 0 };
    const skip = render(aFailedImport({ counts, mode: 'skip' }));
    expect(skip.text).toContain('   With "Skip existing users" the users this import created are skipped, so a\n   manager it had not linked for them yet stays unset;');
    expect(skip.html).toContain('With “Skip existing users” the users this import created are skipped, so a manager it had not linked for them yet stays unset;');
    const update = render(aFailedImport({ counts, mode: 'update' }));
    expect(update.text).toContain('   Choose "Update existing users", as this import did: rows it applied come\n   out unchanged, and the managers named on lines it did not reach are set.\n');
    expect(update.html).toContain('Choose “Update existing users”, as this import did');
    expect(update.text).not.toContain('Skip existing users" the users');
    for (const part of [mail.text, mail.html]) {
      expect(part).not.toContain('Update existing users", as this import did');
      expect(part).not.toContain('Skip existing users” the users');
    }
  });

  it('says an import an admin cancelled was cancelled, and by whom, with no file to fix', () => {
    const counts = { rows: 4000, created: 2000, updated: 0, activated: 0, deactivated: 0, unchanged: 0, skipped: 0, rejected: 0 };
    const reason = 'Cancelled by ops@acme.example after line 4001: the lines up to it were applied (see the counts), the rest of the file was not.';
    const cancelled = render(aFailedImport({ counts, cancelRequestedBy: 'ops@acme.example', failureReason: reason }));
    expect(cancelled.subject).toBe('User import cancelled: staff-november.csv');
    expect(cancelled.text).toContain('Your user import was cancelled.\n\nops@acme.example cancelled the import of the users of "staff-november.csv"\ninto the network acme-corp.\n');
    expect(cancelled.text).not.toContain('fix it');
    expect(cancelled.text).toContain('\n2. Upload it again from Users -> Invite Users -> Import Users.');
    expect(cancelled.html).toContain('Your user import was cancelled</h1>');
    expect(cancelled.html).not.toContain('fix it');
    for (const part of [cancelled.text, cancelled.html]) expect(part).not.toContain('failed');
    expect(mail.text).toContain('\n3. Upload it again from Users -> Invite Users -> Import Users.');
  });

  it('offers to invite the users it created before it stopped (uploading again skips them), and only then', () => {
    const counts = { rows: 4000, created: 2000, updated: 0, activated: 0, deactivated: 0, unchanged: 0, skipped: 0, rejected: 0 };
    const partial = render(aFailedImport({ counts }));
    expect(partial.text).toContain('Before it stopped, this import created 2,000 new users.');
    expect(partial.text).toContain(`  ${INVITE_PAGE}\n`);
    expect(partial.text).toContain(`POST ${INVITATIONS_API}`);
    expect(htmlText(partial.html)).toContain(`href="${INVITE_PAGE}"`);
    expect(mail.text).not.toContain('INVITE THE USERS IT CREATED');
    expect(render(aFailedImport({ counts, autoSendInvites: true })).text).not.toContain('INVITE THE USERS IT CREATED');
  });
});

describe('which import is mailed', () => {
  it('mails nobody about a dry run', () => {
    expect(importMailFor(aCompletedImport({ dryRun: true }), 'admin@acme.example', links)).toEqual({ send: false, reason: 'dry run' });
    expect(importMailFor(aFailedImport({ dryRun: true }), 'admin@acme.example', links).send).toBe(false);
  });

  it('mails nobody when there is no recipient', () => {
    expect(importMailFor(aCompletedImport(), undefined, links)).toEqual({ send: false, reason: 'no recipient address' });
    expect(importMailFor(aCompletedImport(), '  ', links).send).toBe(false);
  });

  it.each(['a@b.example, evil@c.example', 'Admin <a@b.example>', 'a@b.example\r\nBcc: evil@c.example', 'not-an-address'])(
    'refuses %j as a recipient rather than interpret it',
    (address) => {
      expect(importMailFor(aCompletedImport(), address, links).send).toBe(false);
    },
  );

  it('mails nobody about an import that has not finished', () => {
    expect(importMailFor(aCompletedImport({ status: 'running' }), 'admin@acme.example', links).send).toBe(false);
  });

  it.each(['https://chat.example.com/office', 'https://chat.example.com/office/', 'https://chat.example.com/office//'])(
    'links under the path prefix of PUBLIC_BASE_URL %s, with one slash between',
    (base) => {
      const decision = importMailFor(aCompletedImport(), 'admin@acme.example', new ImportLinks(base));
      if (!decision.send) throw new Error(decision.reason);
      const { text, html } = renderer.render(decision.template);
      expect(text).toContain(`  https://chat.example.com/office/admin/#/imports/${IMPORT_ID}/invite\n`);
      expect(htmlText(html)).toContain(`href="https://chat.example.com/office/admin/#/imports/${IMPORT_ID}/invite"`);
      expect(text).toContain(`POST https://chat.example.com/office/api/v1/networks/${NETWORK_ID}/imports/${IMPORT_ID}/invitations`);
      expect(text).not.toContain('office//');
    },
  );

  it('encodes ids that would otherwise change the meaning of a link', () => {
    const odd = new ImportLinks('https://chat.example.com/');
    expect(odd.invitationsApi('a/b?c', 'x#y')).toBe('https://chat.example.com/api/v1/networks/a%2Fb%3Fc/imports/x%23y/invitations');
  });
});
