/**
 * Reading imports back: the list (newest first, paged), one report, the rejected lines as JSON pages and as a CSV
 * to fix and re-upload (the file's own headings plus line and error, formula injection neutralised), and the
 * network boundary: another network's admin gets 403 on every imports route and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { startTestApp, uniqueNetworkId, type TestApp } from '../../support/app.js';
import { expectProblem } from '../../support/users-api.js';
import { csv, errorsCsv, historyOf, importCsv, importsPath, parseCsv, upload, usersOf, waitForImport } from '../../support/imports.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ IMPORT_WORKER_ENABLED: 'true' });
});
afterAll(() => t.close());

describe('GET imports and GET one import', () => {
  it('POST answers 202 with the queued report and a Location that GET answers with the same import', async () => {
    const network = uniqueNetworkId('rep');
    const res = await upload(t, network, csv('email/login,name', 'a@acme.example,A'), { mode: 'update', autoSendInvites: 'true' }, { fileName: 'team.csv' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ networkId: network, status: 'queued', mode: 'update', autoSendInvites: true, dryRun: false, fileName: 'team.csv', totalRows: null, estimatedRows: 1, stage: null, startedAt: null, finishedAt: null });
    expect(res.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(res.headers.location).toBe(importsPath(network, `/${res.body.id}`));
    const done = await waitForImport(t, network, res.body.id);
    const got = await t.http.get(res.headers.location).set(await t.authHeader([network]));
    expect(got.status).toBe(200);
    expect(got.body).toEqual(done);
    expect(got.body).toMatchObject({ id: res.body.id, status: 'completed', totalRows: 1, estimatedRows: 1, counts: { rows: 1, created: 1 } });
    expect(Date.parse(got.body.finishedAt)).toBeGreaterThanOrEqual(Date.parse(got.body.startedAt));
  });

  it('keeps the file\'s name as the browser sent it (UTF-8), accents included', async () => {
    const network = uniqueNetworkId('rep');
    const res = await upload(t, network, csv('email/login,name', 'a@acme.example,A'), {}, { fileName: 'équipe Zürich ñ.csv' });
    expect(res.status).toBe(202);
    expect(res.body.fileName).toBe('équipe Zürich ñ.csv');
    expect((await waitForImport(t, network, res.body.id)).fileName).toBe('équipe Zürich ñ.csv');
  });

  /** A multipart upload written by hand, for file names that no form library would send as they are. */
  function rawUpload(network: string, disposition: string) {
    const boundary = 'qa-boundary';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; ${disposition}\r\nContent-Type: text/csv\r\n\r\n`),
      Buffer.from(csv('email/login,name', 'a@acme.example,A')),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return t.authHeader([network]).then((auth) =>
      t.http.post(importsPath(network)).set(auth).set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(body),
    );
  }

  it.each([
    // RFC 5987's filename* lets a client send any byte, NUL and line breaks included: it was a 500 (PostgreSQL refuses NUL).
    ["filename*=UTF-8''team%00.csv", 'team.csv'],
    ["filename*=UTF-8''team%0D%0ASubject%3A%20hi.csv", 'team Subject: hi.csv'],
    ["filename*=UTF-8''%1B%5B31mred%07.csv", '[31mred.csv'],
    ['filename="report\u202Evsc.csv"', 'reportvsc.csv'],
    ["filename*=UTF-8''%E2%80%8B%20%09", 'users.csv'],
  ])('a file name with control characters (%s) is shown without them: %s', async (disposition, shown) => {
    const network = uniqueNetworkId('rep');
    const res = await rawUpload(network, disposition);
    expect(res.status).toBe(202);
    expect(res.body.fileName).toBe(shown);
    expect((await waitForImport(t, network, res.body.id)).fileName).toBe(shown);
  });

  it('a 300-character file name is shortened in the middle to 120 characters, keeping its start and its extension', async () => {
    const network = uniqueNetworkId('rep');
    const res = await upload(t, network, csv('email/login,name', 'a@acme.example,A'), {}, { fileName: `${'x'.repeat(296)}.csv` });
    expect(res.status).toBe(202);
    expect(res.body.fileName).toBe(`${'x'.repeat(115)}….csv`);
    expect([...res.body.fileName]).toHaveLength(120);
    await waitForImport(t, network, res.body.id);
  });

  it("the users' events name the import, the admin who uploaded it, and the upload's request id", async () => {
    const network = uniqueNetworkId('rep');
    const res = await upload(t, network, csv('email/login,name', 'a@acme.example,A'), {}, { auth: await t.authHeader([network], 'boss@acme.example') }).then((r) => r);
    expect(res.status).toBe(202);
    const withId = await t.http
      .post(importsPath(network))
      .set(await t.authHeader([network], 'boss@acme.example'))
      .set('X-Request-Id', 'upload-req-42')
      .attach('file', Buffer.from(csv('email/login,name', 'b@acme.example,B')), 'b.csv');
    expect(withId.status).toBe(202);
    await waitForImport(t, network, res.body.id);
    await waitForImport(t, network, withId.body.id);
    const b = (await usersOf(t, network)).get('b@acme.example')!;
    const [created] = await historyOf(t, network, b.id);
    expect(created).toMatchObject({
      type: 'UserCreated',
      importId: withId.body.id,
      correlationId: 'upload-req-42',
      actor: { id: 'admin:boss@acme.example', email: 'boss@acme.example' },
      data: { importId: withId.body.id },
    });
  });

  it('lists the network\'s imports newest first, page by page, and nothing of other networks', async () => {
    const network = uniqueNetworkId('rep');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await importCsv(t, network, csv('email/login,name', `u${i}@acme.example,U`))).id);
    await importCsv(t, uniqueNetworkId('other'), csv('email/login,name', 'x@acme.example,X'));
    const auth = await t.authHeader([network]);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await t.http.get(importsPath(network)).query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(auth);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const madeUp = (text: string) => Buffer.from(text).toString('base64url');
    for (const cursor of [
      'garbage',
      'eyJ4IjoxfQ', // {"x":1}
      madeUp('1|------------------------------------'), // a "date" and an "id" PostgreSQL cannot read
      madeUp(`2026-11-25|${ids[0]}`), // a date this API does not write
      madeUp(`2026-11-25T08:00:00.000Z|${ids[0]}|x`),
      madeUp('ann@acme.example'), // the users list's cursor
      // Instants JavaScript writes but PostgreSQL cannot read: each was a 500.
      madeUp(`+275760-09-13T00:00:00.000Z|${ids[0]}`),
      madeUp(`+010000-01-01T00:00:00.000Z|${ids[0]}`),
      madeUp(`0000-01-01T00:00:00.000Z|${ids[0]}`),
    ]) {
      const problem = expectProblem(await t.http.get(importsPath(network)).query({ cursor }).set(auth), 400, 'cursor');
      expect(problem.detail).toContain('cursor: is not a cursor this API gave');
    }
    expectProblem(await t.http.get(importsPath(network)).query({ limit: 0 }).set(auth), 400, 'limit');
  });

  it('an unknown import is 404, a malformed id 400, another network\'s import 404 to this network', async () => {
    const network = uniqueNetworkId('rep');
    const other = uniqueNetworkId('rep');
    const theirs = await importCsv(t, other, csv('email/login,name', 'a@acme.example,A'));
    const auth = await t.authHeader([network]);
    expectProblem(await t.http.get(importsPath(network, `/${randomUUID()}`)).set(auth), 404);
    expectProblem(await t.http.get(importsPath(network, '/not-a-uuid')).set(auth), 400, 'importId');
    expectProblem(await t.http.get(importsPath(network, `/${theirs.id}`)).set(auth), 404);
    expectProblem(await t.http.get(importsPath(network, `/${theirs.id}/errors`)).set(auth), 404);
    expectProblem(await t.http.get(importsPath(network, `/${theirs.id}/errors`)).set(auth).set('Accept', 'text/csv'), 404);
  });
});

describe('GET .../errors', () => {
  const header = 'name,email/login,title,mobile,manager,department,Enabled';
  const file = csv(
    header,
    'Ann,ann@acme.example,,,,Sales,TRUE', // 2 ok
    'Formula,"=HYPERLINK(""http://evil.example"",""click"")",+1,,@x,-2,TRUE', // 3 rejected: e-mail
    'Bob,bob@acme.example,"Head, ""Ops""",+44 7911 12,,Ops,', // 4 rejected: mobile
    'Ann Again,ANN@acme.example,,(+91)1234123411,,Legal,TRUE', // 5 rejected: duplicate of line 2
    'Short,short@acme.example,TRUE', // 6 rejected: 3 fields
    'Tab,tab@acme.example,"\tx",,,"\rA",maybe', // 7 rejected: Enabled
  );

  it('as JSON: one entry per rejected line with line, e-mail, error, field and the cells by heading; paged by `after`', async () => {
    const network = uniqueNetworkId('err');
    const report = await importCsv(t, network, file);
    expect(report.counts).toMatchObject({ rows: 6, created: 1, rejected: 5 });
    const auth = await t.authHeader([network]);
    const res = await t.http.get(importsPath(network, `/${report.id}/errors`)).set(auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const items = res.body.items;
    expect(items.map((i: { line: number; field: string | null }) => [i.line, i.field])).toEqual([
      [3, 'email'],
      [4, 'mobile'],
      [5, 'email'],
      [6, null],
      [7, 'enabled'],
    ]);
    expect(res.body.nextAfter).toBeNull();
    expect(items[1]).toMatchObject({
      email: 'bob@acme.example',
      error: expect.stringMatching(/line 4: "\+44 7911 12" in column "mobile"/),
      fields: { name: 'Bob', 'email/login': 'bob@acme.example', title: 'Head, "Ops"', mobile: '+44 7911 12', manager: '', department: 'Ops', Enabled: '' },
    });
    expect(items[2]).toMatchObject({ email: 'ANN@acme.example', error: expect.stringMatching(/already appears on line 2/) });

    const page1 = await t.http.get(importsPath(network, `/${report.id}/errors`)).query({ limit: 2 }).set(auth);
    expect(page1.body.items.map((i: { line: number }) => i.line)).toEqual([3, 4]);
    expect(page1.body.nextAfter).toBe(4);
    const page2 = await t.http.get(importsPath(network, `/${report.id}/errors`)).query({ limit: 2, after: 4 }).set(auth);
    expect(page2.body.items.map((i: { line: number }) => i.line)).toEqual([5, 6]);
    const notALimit = expectProblem(await t.http.get(importsPath(network, `/${report.id}/errors`)).query({ limit: 'x' }).set(auth), 400, 'limit');
    expect(notALimit.detail).toBe('limit: must be a whole number from 1 to 1000');
    const notAnAfter = expectProblem(await t.http.get(importsPath(network, `/${report.id}/errors`)).query({ after: '-1' }).set(auth), 400, 'after');
    expect(notAnAfter.detail).toBe('after: must be a line number of the file');
    // Past PostgreSQL's integers: was a 500.
    const tooFar = expectProblem(await t.http.get(importsPath(network, `/${report.id}/errors`)).query({ after: '2147483648' }).set(auth), 400, 'after');
    expect(tooFar.detail).toBe('after: must be a line number of the file');
    const unknown = expectProblem(await t.http.get(importsPath(network, `/${report.id}/errors`)).query({ afterLine: '4' }).set(auth), 400, 'afterLine');
    expect(unknown.detail).toBe('afterLine: is not a field of this request, which has: after, limit');
  });

  it('as CSV (Accept: text/csv): the original headings + line + error, the original cells, ready to re-upload', async () => {
    const network = uniqueNetworkId('err');
    const report = await importCsv(t, network, file);
    const { res, rows } = await errorsCsv(t, network, report.id);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?import-[0-9a-f-]{36}-errors\.csv"?$/);
    expect(String(res.body).startsWith('\uFEFF')).toBe(true);
    expect(rows[0]).toEqual(['name', 'email/login', 'title', 'mobile', 'manager', 'department', 'Enabled', 'line', 'error']);
    const byLine = new Map(rows.slice(1).map((r) => [r[7], r]));
    expect([...byLine.keys()]).toEqual(['3', '4', '5', '6', '7']);
    expect(byLine.get('4')!.slice(0, 7)).toEqual(['Bob', 'bob@acme.example', 'Head, "Ops"', "'+44 7911 12", '', 'Ops', '']);
    expect(byLine.get('4')![8]).toMatch(/mobile/);
    // The duplicate's cells as the admin wrote them (not as they were normalised for staging).
    expect(byLine.get('5')!.slice(0, 7)).toEqual(['Ann Again', 'ANN@acme.example', '', '(+91)1234123411', '', 'Legal', 'TRUE']);
    expect(byLine.get('6')!.slice(0, 3)).toEqual(['Short', 'short@acme.example', 'TRUE']);
  });

  it('with the delimiter of the file: a ";" file from a spreadsheet gives its errors back with ";", which re-uploads fixed', async () => {
    const network = uniqueNetworkId('err');
    const semicolons = ['name;email/login;title;mobile', 'Ann Lee;ann@acme.example;Director, Sales;+44 7911 123456', 'Bob Ray;bob@acme.example;Ops;+44 7911 12', ''].join('\r\n');
    const report = await importCsv(t, network, semicolons);
    expect(report.counts).toMatchObject({ rows: 2, created: 1, rejected: 1 });
    const { res, rows } = await errorsCsv(t, network, report.id, ';');
    expect(String(res.body).split('\r\n')[0]).toBe('\uFEFF"name";"email/login";"title";"mobile";"line";"error"');
    expect(rows.slice(1).map((r) => r.slice(0, 5))).toEqual([['Bob Ray', 'bob@acme.example', 'Ops', "'+44 7911 12", '3']]);

    // Fixed in place, the formula guard left as it is, and uploaded again: the "line" and "error" columns are
    // ignored with a warning.
    const fixed = String(res.body).replace('+44 7911 12', '+44 7911 123457');
    const again = await importCsv(t, network, fixed);
    expect(again.counts).toMatchObject({ rows: 1, created: 1, rejected: 0 });
    expect(again.warnings).toEqual(['Unknown columns "line" and "error" were ignored']);
    expect((await usersOf(t, network)).get('bob@acme.example')).toMatchObject({ name: 'Bob Ray', mobile: '+447911123457' });
  });

  it('a line rejected once the whole file is known keeps its cells as written: a new user without a name, a repeated e-mail', async () => {
    const network = uniqueNetworkId('err');
    const report = await importCsv(
      t,
      network,
      csv(header, ',noname@acme.example,Chef,(+91)1234123411,,Kitchen,true', 'Carl,carl@acme.example,,,,Ops,', 'Carl Again, Carl@ACME.example ,,,,Ops,false'),
    );
    expect(report.counts).toMatchObject({ rows: 3, created: 1, rejected: 2 });
    const { rows } = await errorsCsv(t, network, report.id);
    const byLine = new Map(rows.slice(1).map((r) => [r[7], r]));
    expect(byLine.get('2')!.slice(0, 7)).toEqual(['', 'noname@acme.example', 'Chef', '(+91)1234123411', '', 'Kitchen', 'true']);
    expect(byLine.get('2')![8]).toMatch(/needs a name/);
    expect(byLine.get('4')!.slice(0, 7)).toEqual(['Carl Again', ' Carl@ACME.example ', '', '', '', 'Ops', 'false']);
    expect(byLine.get('4')![8]).toMatch(/already appears on line 3/);
  });

  it('neutralises formulas: cells starting with = + - @ tab or CR come back prefixed with \'', async () => {
    const network = uniqueNetworkId('err');
    const report = await importCsv(t, network, file);
    const { rows } = await errorsCsv(t, network, report.id);
    const formula = rows.find((r) => r[7] === '3')!;
    expect(formula.slice(0, 7)).toEqual(['Formula', `'=HYPERLINK("http://evil.example","click")`, "'+1", '', "'@x", "'-2", 'TRUE']);
    const tab = rows.find((r) => r[7] === '7')!;
    expect(tab[2]).toBe("'\tx");
    expect(tab[5]).toBe("'\rA");
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it.each([
    ['application/xml', 406, null],
    ['text/csv;q=0, application/json;q=0', 406, null],
    ['text/html, application/xhtml+xml', 406, null],
    ['*/*', 200, 'application/json'],
    ['text/*', 200, 'text/csv'],
    ['application/json;q=0.5, text/csv', 200, 'text/csv'],
    // Media-type parameters: the type the CSV is answered with, and RFC 4180's header (were 406).
    ['text/csv; charset=utf-8', 200, 'text/csv'],
    ['text/csv;header=present', 200, 'text/csv'],
    ['application/json; charset=utf-8', 200, 'application/json'],
    ['text/csv;header=absent', 406, null],
  ])('Accept: %s → %s %s (it was always JSON, whatever the client asked for)', async (accept, status, type) => {
    const network = uniqueNetworkId('err');
    const report = await importCsv(t, network, csv('email/login,name', 'bad,Bad'));
    const res = await t.http.get(importsPath(network, `/${report.id}/errors`)).set(await t.authHeader([network])).set('Accept', accept);
    if (status === 406) {
      expect(expectProblem(res, 406).detail).toBe('The rejected lines are served as application/json or as text/csv: ask for one of them in Accept, or send no Accept for JSON.');
      return;
    }
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain(type);
    // Both representations say they depend on Accept, so that no cache serves one for the other.
    expect(res.headers.vary).toMatch(/\bAccept\b/);
  });

  it('an import without rejections gives an empty list and a CSV of headings only', async () => {
    const network = uniqueNetworkId('err');
    const report = await importCsv(t, network, csv('email/login,name', 'a@acme.example,A'));
    const json = await t.http.get(importsPath(network, `/${report.id}/errors`)).set(await t.authHeader([network]));
    expect(json.body).toEqual({ items: [], nextAfter: null });
    const { rows } = await errorsCsv(t, network, report.id);
    expect(rows).toEqual([['email/login', 'name', 'line', 'error']]);
  });
});

describe('the network boundary', () => {
  it('another network\'s token gets 403 on every imports route, and nothing is written', async () => {
    const network = uniqueNetworkId('own');
    const report = await importCsv(t, network, csv('email/login,name', 'a@acme.example,A', 'bad,B'));
    const outsider = await t.authHeader([uniqueNetworkId('elsewhere')]);
    const p = (s = '') => importsPath(network, s);
    const routes = [
      () => upload(t, network, csv('email/login,name', 'x@acme.example,X'), {}, { auth: outsider }),
      () => t.http.get(p()).set(outsider),
      () => t.http.get(p(`/${report.id}`)).set(outsider),
      () => t.http.get(p(`/${report.id}/errors`)).set(outsider),
      () => t.http.get(p(`/${report.id}/errors`)).set(outsider).set('Accept', 'text/csv'),
      () => t.http.post(p(`/${report.id}/invitations`)).set(outsider),
    ];
    for (const route of routes) {
      const res = await route();
      expectProblem(res, 403);
      expect(res.body.detail).toContain(network);
    }
    // And without a token: 401.
    expectProblem(await t.http.get(p()), 401);
    expectProblem(await t.http.post(p(`/${report.id}/invitations`)), 401);

    const list = await t.http.get(p()).set(await t.authHeader([network]));
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([report.id]);
    expect([...(await usersOf(t, network)).values()].map((u) => [u.email, u.invitation])).toEqual([['a@acme.example', 'none']]);
  });
});

describe('parseCsv helper', () => {
  it('reads quotes, doubled quotes, CRLF and embedded line breaks', () => {
    expect(parseCsv('"a","b ""c""","d\r\ne"\r\n"1",,"2"\r\n')).toEqual([
      ['a', 'b "c"', 'd\r\ne'],
      ['1', '', '2'],
    ]);
  });
});
