import type { FinishedImportReport } from '../../../src/modules/imports/application/ports/import-notifications.port.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ImportLinks, importMailFor } from '../../../src/modules/notifications/domain/import-mail.js';
import { HandlebarsMailRenderer } from '../../../src/modules/notifications/infrastructure/handlebars-mail-renderer.adapter.js';
import { aCompletedImport, aFailedImport, PUBLIC_BASE_URL } from './support/import-report.fixture.js';

/**
 * The rendered samples in docs/mail are what the README shows of the e-mails; this keeps them in step with the
 * templates. After changing a template: UPDATE_MAIL_SAMPLES=1 npx jest test/unit/notifications/mail-samples
 */
const SAMPLES: Record<'import-completed' | 'import-failed', FinishedImportReport> = {
  'import-completed': aCompletedImport(),
  'import-failed': aFailedImport({
    failureReason:
      'The file has no "email/login" column. The first line must hold the field headings, for example: ' +
      '"name","firstname","lastname","email/login","title","mobile","manager","Enabled".',
  }),
};

const renderer = HandlebarsMailRenderer.fromDirectory();

describe.each(Object.entries(SAMPLES))('the committed %s sample', (name, report) => {
  it('matches what the templates render', () => {
    const decision = importMailFor(report, 'admin@acme.example', new ImportLinks(PUBLIC_BASE_URL));
    if (!decision.send) throw new Error(decision.reason);
    const { html } = renderer.render(decision.template);
    const file = fileURLToPath(new URL(`../../../docs/mail/${name}.html`, import.meta.url));
    if (process.env.UPDATE_MAIL_SAMPLES === '1') writeFileSync(file, html);
    expect(readFileSync(file, 'utf8')).toBe(html);
  });
});
