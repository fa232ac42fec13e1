/**
 * What an upload can be refused for, and that no file of the corpus (nor a few nasty generated ones) ever gets a
 * 500: size and row limits (413, nothing queued), binary (415), empty (422), not multipart (415), no file
 * (400), bad form fields (400 naming them).
 */
import { readdirSync } from 'node:fs';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { expectProblem } from '../../support/users-api.js';
import { CSV_FIXTURES, csv, exclusiveSum, fixture, importsPath, upload, usersOf, waitForImport } from '../../support/imports.js';

const MAX_BYTES = 2048;
const MAX_ROWS = 5;

let limited: TestApp;
let t: TestApp;
beforeAll(async () => {
  // Refusals happen at upload, before anything is queued; no worker needed to prove nothing was applied.
  limited = await startTestApp({ IMPORT_MAX_FILE_BYTES: String(MAX_BYTES), IMPORT_MAX_ROWS: String(MAX_ROWS), IMPORT_WORKER_ENABLED: 'false' });
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true' });
});
afterAll(async () => {
  await limited?.close();
  await t?.close();
});

async function nothingQueued(app: TestApp, network: string) {
  const res = await app.http.get(importsPath(network)).set(await app.authHeader([network]));
  expect(res.status).toBe(200);
  expect(res.body.items).toEqual([]);
  expect(await usersOf(app, network)).toEqual(new Map());
}

function utf16(text: string): Buffer {
  const b = Buffer.alloc(2 + text.length * 2);
  b.writeUInt16LE(0xfeff, 0);
  for (let i = 0; i < text.length; i++) b.writeUInt16LE(text.charCodeAt(i), 2 + i * 2);
  return b;
}

const rows = (n: number, eol = '\n') => ['email/login,name', ...Array.from({ length: n }, (_, i) => `u${i}@acme.example,User ${i}`)].join(eol) + eol;

describe('limits', () => {
  it(`a file over IMPORT_MAX_FILE_BYTES (${MAX_BYTES}) is refused with 413 before any row is applied`, async () => {
    const network = uniqueNetworkId('lim');
    const big = rows(4) + `# ${'x'.repeat(MAX_BYTES)}\n`;
    const res = await upload(limited, network, big);
    const problem = expectProblem(res, 413);
    expect(problem.reason).toBe('too-large');
    expect(problem.detail).toBe('The file is larger than the 2 KiB an import accepts; split it into several files.');
    await nothingQueued(limited, network);
  });

  it('a file far over the limit (20 MiB against 2 KiB) is refused promptly with 413, never read whole', async () => {
    const network = uniqueNetworkId('lim');
    const started = Date.now();
    const res = await upload(limited, network, Buffer.alloc(20 * 1024 * 1024, 'a'));
    expectProblem(res, 413);
    expect(Date.now() - started).toBeLessThan(10_000);
    await nothingQueued(limited, network);
  });

  it('a file of exactly the size limit is accepted', async () => {
    const network = uniqueNetworkId('lim');
    const base = rows(1);
    const exact = base.slice(0, -1) + 'x'.repeat(MAX_BYTES - base.length) + '\n';
    expect(Buffer.byteLength(exact)).toBe(MAX_BYTES);
    const res = await upload(limited, network, exact);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'queued', counts: { rows: 0 } });
  });

  it(`more rows than IMPORT_MAX_ROWS (${MAX_ROWS}) is refused with 413; nothing queued`, async () => {
    const network = uniqueNetworkId('lim');
    const problem = expectProblem(await upload(limited, network, rows(MAX_ROWS + 1)), 413);
    expect(problem.reason).toBe('too-many-rows');
    expect(problem.detail).toMatch(/more than 5 rows/);
    await nothingQueued(limited, network);
  });

  it('one row over IMPORT_MAX_ROWS is refused whether or not the last line ends in a line break; exactly the limit either way is accepted', async () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const over = expectProblem(await upload(limited, uniqueNetworkId('lim'), rows(MAX_ROWS + 1, eol).slice(0, -eol.length)), 413);
      expect(over.reason).toBe('too-many-rows');
      expect((await upload(limited, uniqueNetworkId('lim'), rows(MAX_ROWS, eol).slice(0, -eol.length))).status).toBe(202);
      expect((await upload(limited, uniqueNetworkId('lim'), rows(MAX_ROWS, eol))).status).toBe(202);
    }
  });

  it('exactly IMPORT_MAX_ROWS rows is accepted, with CRLF line endings and blank lines (which are not rows)', async () => {
    const network = uniqueNetworkId('lim');
    const file = rows(MAX_ROWS, '\r\n').replace(/\r\n/g, '\r\n\r\n');
    expect((await upload(limited, network, file)).status).toBe(202);
  });
});

describe('refusals', () => {
  it.each([
    ['binary.png', /not a CSV text file/],
    ['binary.gz', /not a CSV text file/],
    ['utf16le-no-bom.csv', /UTF-16 text without the byte-order mark.*"CSV UTF-8"/],
    ['excel-workbook.csv', /an Excel workbook, not a CSV file.*"CSV UTF-8 \(Comma delimited\) \(\*\.csv\)"/],
    ['opendocument-spreadsheet.csv', /an OpenDocument spreadsheet, not a CSV file.*"Text CSV \(\.csv\)"/],
  ])('%s: 415 saying why, nothing queued', async (name, why) => {
    const network = uniqueNetworkId('ref');
    const problem = expectProblem(await upload(t, network, fixture(name), {}, { fileName: name }), 415);
    expect(problem.reason).toBe('not-csv');
    expect(problem.detail).toMatch(why);
    await nothingQueued(t, network);
  });

  it.each(['empty.csv', 'bom-only.csv', 'whitespace-only.csv'])('%s: 422 (empty), nothing queued', async (name) => {
    const network = uniqueNetworkId('ref');
    const problem = expectProblem(await upload(t, network, fixture(name)), 422);
    expect(problem.reason).toBe('empty-file');
    await nothingQueued(t, network);
  });

  it('not multipart (JSON, or the CSV as the raw body): 415', async () => {
    const network = uniqueNetworkId('ref');
    const auth = await t.authHeader([network]);
    expectProblem(await t.http.post(importsPath(network)).set(auth).send({ file: 'email\na@b.example' }), 415);
    expectProblem(await t.http.post(importsPath(network)).set(auth).set('Content-Type', 'text/csv').send('email/login\na@acme.example\n'), 415);
    expectProblem(await t.http.post(importsPath(network)).set(auth), 415);
    await nothingQueued(t, network);
  });

  it('multipart without a file field: 400 naming "file"; a file under another name or two files: 400', async () => {
    const network = uniqueNetworkId('ref');
    const auth = await t.authHeader([network]);
    expectProblem(await t.http.post(importsPath(network)).set(auth).field('mode', 'skip'), 400, 'file');
    expectProblem(await t.http.post(importsPath(network)).set(auth).attach('upload', Buffer.from('email\na@acme.example\n'), 'users.csv'), 400);
    expectProblem(
      await t.http
        .post(importsPath(network))
        .set(auth)
        .attach('file', Buffer.from('email\na@acme.example\n'), 'a.csv')
        .attach('file', Buffer.from('email\nb@acme.example\n'), 'b.csv'),
      400,
    );
    await nothingQueued(t, network);
  });

  it('a form field sent twice: 400 saying so, not that its value is wrong; nothing queued', async () => {
    const network = uniqueNetworkId('ref');
    const res = await t.http
      .post(importsPath(network))
      .set(await t.authHeader([network]))
      .field('mode', 'update')
      .field('mode', 'skip')
      .attach('file', Buffer.from(csv('email/login,name', 'a@acme.example,A')), 'users.csv');
    expect(expectProblem(res, 400, 'mode').detail).toBe('mode: is given 2 times; give it once');
    await nothingQueued(t, network);
  });

  it('a "file" part without a file name (a text field): 400 saying to send it as a file, not that the field is missing', async () => {
    const network = uniqueNetworkId('ref');
    const problem = expectProblem(await t.http.post(importsPath(network)).set(await t.authHeader([network])).field('file', 'email/login\na@acme.example\n'), 400, 'file');
    expect(problem.detail).toBe('The "file" part came without a file name, so it was read as a text field: send the CSV as a file (curl -F file=@users.csv).');
    await nothingQueued(t, network);
  });

  it.each([
    [{ mode: 'replace' }, 'mode', 'mode: must be "skip" (Skip existing users) or "update" (Update existing users)'],
    [{ mode: ' ' }, 'mode', 'mode: must be "skip"'],
    [{ autoSendInvites: 'yes' }, 'autoSendInvites', 'autoSendInvites: must be "true" or "false"'],
    [{ dryRun: '1' }, 'dryRun', 'dryRun: must be "true" or "false"'],
    [{ notify: 'x' }, 'notify', 'notify: is not a field of this request, which has: mode, autoSendInvites, dryRun'],
  ])('bad form field %j: 400 naming %s, nothing queued', async (fields, field, detail) => {
    const network = uniqueNetworkId('ref');
    const problem = expectProblem(await upload(t, network, csv('email/login,name', 'a@acme.example,A'), fields), 400, field);
    expect(problem.detail).toContain(detail);
    await nothingQueued(t, network);
  });

  it.each([
    [{ mode: 'Update', dryRun: 'TRUE' }, { mode: 'update', autoSendInvites: false, dryRun: true }],
    [{ mode: ' SKIP ', autoSendInvites: ' false ', dryRun: 'True' }, { mode: 'skip', autoSendInvites: false, dryRun: true }],
  ])('form fields in any case, with blanks around: %j is read as %j', async (fields, expected) => {
    const network = uniqueNetworkId('ref');
    const res = await upload(t, network, csv('email/login,name', 'a@acme.example,A'), fields);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject(expected);
    await waitForImport(t, network, res.body.id);
  });

  it('form fields after the file part are read the same', async () => {
    const network = uniqueNetworkId('ref');
    const res = await t.http
      .post(importsPath(network))
      .set(await t.authHeader([network]))
      .attach('file', Buffer.from(csv('email/login,name', 'a@acme.example,A')), 'users.csv')
      .field('mode', 'update')
      .field('dryRun', 'true');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ mode: 'update', dryRun: true, autoSendInvites: false });
    await waitForImport(t, network, res.body.id);
  });
});

describe('never a 500', () => {
  const files = readdirSync(CSV_FIXTURES).filter((f) => f !== 'README.md' && f !== 'make-fixtures.mjs').sort();

  it('the corpus is there', () => {
    expect(files.length).toBeGreaterThan(30);
  });

  it.each(files)('%s: a 4xx or a 202 whose import completes with counts that add up', async (name) => {
    const network = uniqueNetworkId('corpus');
    for (const mode of ['skip', 'update']) {
      const res = await upload(t, network, fixture(name), { mode }, { fileName: name });
      expect(res.status).toBeLessThan(500);
      if (res.status !== 202) {
        expectProblem(res, res.status);
        continue;
      }
      const report = await waitForImport(t, network, res.body.id);
      expect(report.status).toBe('completed');
      expect(exclusiveSum(report.counts)).toBe(report.counts.rows);
    }
  });

  const generated: [string, () => Buffer][] = [
    ['a NUL character in a value after the first 8 KiB', () => Buffer.from(rows(600) + 'nul@acme.example,Nul\u0000Name\n' + 'after@acme.example,After\n')],
    ['a NUL character in a rejected line after the first 8 KiB', () => Buffer.from(rows(600) + 'bad\u0000mail,Nul\n')],
    ['a C1 control character and a lone surrogate-like sequence', () => Buffer.from(rows(2) + 'c1@acme.example,A\u0085B\n')],
    ['invalid UTF-8 after the first 8 KiB', () => Buffer.concat([Buffer.from(rows(600)), Buffer.from([0x61, 0xff, 0xfe, 0x40, 0x62, 0x2c, 0x63, 0x0a])])],
    ['UTF-16 with lone surrogates in a valid and in a rejected line', () => utf16('email/login,name\nann@acme.example,A\uD800nn\nbad\uDC00mail,B\n')],
    ['1,000 columns', () => Buffer.from(csv(['email/login', ...Array.from({ length: 999 }, (_, i) => `c${i}`)].join(','), ['a@acme.example', ...Array.from({ length: 999 }, () => 'v')].join(',')))],
    ['only delimiters after the header', () => Buffer.from(csv('email/login,name', ',', ',,,,'))],
    ['a header with an empty heading', () => Buffer.from(csv('email/login,,name', 'a@acme.example,x,A'))],
    ['a 300-character e-mail and a 10,000-character name', () => Buffer.from(csv('email/login,name', `${'a'.repeat(300)}@acme.example,A`, `b@acme.example,${'n'.repeat(10_000)}`))],
    ['a manager column full of garbage', () => Buffer.from(csv('email/login,name,manager', 'a@acme.example,A,=cmd|x', 'b@acme.example,B,@@'))],
  ];

  it.each(generated)('%s', async (_name, make) => {
    const network = uniqueNetworkId('nasty');
    const res = await upload(t, network, make());
    expect(res.status).toBeLessThan(500);
    if (res.status !== 202) return void expectProblem(res, res.status);
    const report = await waitForImport(t, network, res.body.id, 20_000);
    expect({ status: report.status, failureReason: report.failureReason }).toEqual({ status: 'completed', failureReason: undefined });
    expect(exclusiveSum(report.counts)).toBe(report.counts.rows);
  });
});
