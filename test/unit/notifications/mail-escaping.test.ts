import type { FinishedImportReport } from '../../../src/modules/imports/application/ports/import-notifications.port.js';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { jest } from '@jest/globals';
import Handlebars from 'handlebars';
import { join } from 'node:path';
import { ImportLinks, importMailFor, type MailTemplate } from '../../../src/modules/notifications/domain/import-mail.js';
import {
  DEFAULT_TEMPLATES_DIR,
  HandlebarsMailRenderer,
} from '../../../src/modules/notifications/infrastructure/handlebars-mail-renderer.adapter.js';
import { aCompletedImport, aFailedImport, PUBLIC_BASE_URL } from './support/import-report.fixture.js';

const SCRIPT = '<script>alert(1)</script>';
const MUSTACHE = '{{constructor}}';
const links = new ImportLinks(PUBLIC_BASE_URL);

function templateFor(report: FinishedImportReport): MailTemplate {
  const decision = importMailFor(report, 'admin@acme.example', links);
  if (!decision.send) throw new Error(decision.reason);
  return decision.template;
}

describe('values from a CSV or a request in the e-mails', () => {
  const renderer = HandlebarsMailRenderer.fromDirectory();
  const hostile = aCompletedImport({
    fileName: `${SCRIPT}${MUSTACHE}.csv`,
    networkId: `net"><img src=x onerror=alert(2)>`,
    warnings: [`Row 3: name ${SCRIPT} looks odd`, `Row 4: ${MUSTACHE} {{#each this}}x{{/each}} {{> layout}}`],
  });

  it.each([
    ['completed', hostile],
    ['failed', aFailedImport({ fileName: hostile.fileName, networkId: hostile.networkId, failureReason: `Bad header ${SCRIPT}` })],
  ])('are HTML-escaped in the HTML part of the %s mail', (_, report) => {
    const { html } = renderer.render(templateFor(report));
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('net&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
  });

  it('are rendered as the text they are, never evaluated as template code', () => {
    const { html, text, subject } = renderer.render(templateFor(hostile));
    expect(html).toContain(`&lt;script&gt;alert(1)&lt;/script&gt;${MUSTACHE}.csv`);
    expect(html).toContain(`Row 4: ${MUSTACHE} {{#each this}}x{{/each}} {{&gt; layout}}`);
    expect(text).toContain(`"${SCRIPT}${MUSTACHE}.csv"`);
    expect(text).toContain(`  - Row 4: ${MUSTACHE} {{#each this}}x{{/each}} {{> layout}}`);
    expect(subject).toContain(`${SCRIPT}{{construc….csv`);
  });

  it('keep the text part and the subject unescaped, because they are not HTML', () => {
    const { text } = renderer.render(templateFor(aCompletedImport({ fileName: 'R&D "Q4" <team>.csv' })));
    expect(text).toContain('"R&D "Q4" <team>.csv"');
    expect(text).not.toContain('&amp;');
  });

  it('cannot break the subject into a second header line', () => {
    const { subject } = renderer.render(templateFor(aCompletedImport({ fileName: 'a.csv\r\nBcc: victim@example.com' })));
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toContain('a.csv Bcc: victim@example.com');
  });
});

describe('Handlebars prototype access', () => {
  const model = { fileName: 'a.csv', counts: { rows: 1 }, warnings: ['x'] };
  /** Render something only when inherited members are reachable; checked with access on, so they mean something. */
  const revealing = ['{{counts.toString}}', '{{counts.valueOf}}', '{{counts.hasOwnProperty}}', '{{lookup counts "toString"}}'];
  /** Always denied by Handlebars itself; here to show our instance adds no exception for them. */
  const denied = ['{{constructor.name}}', '{{fileName.constructor.name}}', '{{counts.__proto__.constructor.name}}'];
  let directory: string;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'ocu-templates-'));
    cpSync(DEFAULT_TEMPLATES_DIR, directory, { recursive: true });
    // Handlebars reports each denied access on the console; expected here, noise in the test output.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterAll(() => {
    jest.restoreAllMocks();
    rmSync(directory, { recursive: true, force: true });
  });

  it.each(revealing)('would reveal %s if it were on', (probe) => {
    const leaky = Handlebars.create().compile(probe)(model, { allowProtoPropertiesByDefault: true, allowProtoMethodsByDefault: true });
    expect(leaky).not.toBe('');
  });

  function renderProbe(probe: string): string {
    writeFileSync(join(directory, 'import-completed.text.hbs'), `[${probe}]`);
    return HandlebarsMailRenderer.fromDirectory(directory).render(templateFor(aCompletedImport())).text;
  }

  it.each(revealing)('stays off: %s renders as nothing in our templates', (probe) => {
    expect(renderProbe(probe)).toBe('[]\n');
  });

  // Strict mode treats a denied property as missing, and reading into something missing throws: no output either way.
  it.each(denied)('stays off: %s renders nothing or throws', (probe) => {
    let rendered: string | undefined;
    try {
      rendered = renderProbe(probe);
    } catch {
      rendered = undefined;
    }
    expect([undefined, '[]\n']).toContain(rendered);
  });
});
