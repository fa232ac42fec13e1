import { Readable } from 'node:stream';
import type { CsvReadItem } from '../../../src/modules/imports/domain/csv-record.js';
import { ImportFileRefusedError } from '../../../src/modules/imports/domain/import-file-refused.error.js';
import { CsvUserFileReader, DEFAULT_MAX_ROWS, DEFAULT_MAX_ROW_BYTES, readCsvUserFile, readCsvUserFileBatches } from '../../../src/modules/imports/infrastructure/csv/csv-user-file.reader.js';
import { chunked, fileSource, fixtureBytes, readAll, readOutcome, source } from './support/import-file.js';

const HEADER = 'name,email,title,Enabled';
const row = (n: number): string => `User ${n},user${n}@example.com,Engineer,TRUE`;

function records(items: CsvReadItem[]): Array<[number, readonly string[]]> {
  return items.filter((i) => i.kind === 'record').map((i) => [i.line, i.fields]);
}

function problems(items: CsvReadItem[]): Array<[number, string, string]> {
  return items.filter((i) => i.kind === 'problem').map((i) => [i.line, i.code, i.error]);
}

function lines(items: CsvReadItem[]): Array<[string, number]> {
  return items.map((i) => [i.kind, i.line]);
}

describe('readCsvUserFile', () => {
  describe('the guide samples', () => {
    it('reads the typographic sample exactly as its straight-quoted version', async () => {
      const typographic = await readAll(fileSource('guide-sample-typographic.csv'));
      const straight = await readAll(fileSource('guide-sample-typographic-straightened.csv'));
      expect(typographic).toEqual(straight);
      expect(typographic).toEqual([
        { kind: 'header', line: 1, delimiter: ',', fields: ['name', 'firstname', 'lastname', 'email/login', 'title', 'mobile', 'manager', 'Enabled'] },
        {
          kind: 'record',
          line: 2,
          fields: ['Will Smith', 'Will', 'Smith', 'willsmith@gmail.com', 'Director', '(+91)1234123411', 'johnny_depp@yahoo.com', 'TRUE'],
        },
        {
          kind: 'record',
          line: 3,
          fields: ['JohnnyDepp', 'Johnny', 'Depp', 'johnny_depp@yahoo.com', 'Manager', '(+91)1234123411', 'ashton@yahoo.com', 'FALSE'],
        },
      ]);
    });

    it('keeps the empty quoted title of the straight sample as an empty field', async () => {
      const items = await readAll(fileSource('guide-sample-straight.csv'));
      expect(records(items)).toEqual([[2, ['Will Smith', 'Will', 'Smith', 'willsmith@gmail.com', '', '(+91)1234123411', 'TRUE']]]);
    });
  });

  describe('encodings', () => {
    const accented = [
      [2, ['Renée Müller', 'Renée', 'Müller', 'renee.muller@example.com', 'Señora Directora', '+33 6 12 34 56 78', 'TRUE']],
      [3, ['José Núñez', 'José', 'Núñez', 'jose.nunez@example.com', 'Ingeniero', '', 'FALSE']],
    ];

    it.each(['utf8-bom.csv', 'utf16le-bom.csv', 'utf16be-bom.csv', 'windows-1252.csv'])('decodes %s', async (fixture) => {
      const items = await readAll(fileSource(fixture));
      expect(items[0]).toEqual({
        kind: 'header',
        line: 1,
        delimiter: ',',
        fields: ['name', 'firstname', 'lastname', 'email/login', 'title', 'mobile', 'Enabled'],
      });
      expect(records(items)).toEqual(accented);
    });

    it('decodes mixed-encodings.csv line by line: a Windows-1252 line, then a UTF-8 one', async () => {
      expect(records(await readAll(fileSource('mixed-encodings.csv')))).toEqual([
        [2, accented[1][1]],
        [3, accented[0][1]],
      ]);
    });

    it('detects Windows-1252 when its first accented letter comes after 100 KiB of ASCII', async () => {
      const ascii = Array.from({ length: 2000 }, (_, n) => row(n + 2)).join('\n');
      const bytes = Buffer.concat([Buffer.from(`${HEADER}\n${ascii}\n`), Buffer.from('Zoë Ñuñez,zoe@example.com,Señora,TRUE\n', 'latin1')]);
      expect(bytes.length).toBeGreaterThan(70 * 1024);
      const items = await readAll(chunked(bytes, 1000));
      expect(records(items).at(-1)).toEqual([2002, ['Zoë Ñuñez', 'zoe@example.com', 'Señora', 'TRUE']]);
      expect(problems(items)).toEqual([]);
    });

    it('reads Windows-1252 lines in a UTF-8 file as Windows-1252, rather than garble them or the UTF-8 ones', async () => {
      const start = `${HEADER}\nRenée,renee@example.com,Directrice,TRUE\n` + Array.from({ length: 1000 }, (_, n) => row(n + 3)).join('\n');
      const bytes = Buffer.concat([
        Buffer.from(`${start}\n`, 'utf8'),
        Buffer.from('José,jose@example.com,Ingeniero,TRUE\n', 'latin1'),
        Buffer.from('Zoë,zoe@example.com,,\n', 'utf8'),
      ]);
      const items = await readAll(chunked(bytes, 4096));
      expect(records(items)[0]).toEqual([2, ['Renée', 'renee@example.com', 'Directrice', 'TRUE']]);
      expect(records(items).slice(-2)).toEqual([
        [1003, ['José', 'jose@example.com', 'Ingeniero', 'TRUE']],
        [1004, ['Zoë', 'zoe@example.com', '', '']],
      ]);
      expect(problems(items)).toEqual([]);
    });

    it('reports, rather than imports garbled, a line with bytes invalid in the encoding its BOM names', async () => {
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${HEADER}\n`), Buffer.from('José,jose@example.com,,\n', 'latin1'), Buffer.from('Zoë,zoe@example.com,,\n')]);
      const items = await readAll(chunked(bytes, 7));
      expect(problems(items)).toEqual([
        [2, 'invalid-characters', `line 2 has characters that cannot be read in the file's encoding; save the file as "CSV UTF-8" and upload it again`],
      ]);
      expect(records(items)).toEqual([[3, ['Zoë', 'zoe@example.com', '', '']]]);
    });
  });

  describe('delimiters and quoting', () => {
    it("takes the delimiter from Excel's sep= first line, which counts as line 1", async () => {
      const items = await readAll(fileSource('excel-sep-line.csv'));
      expect(items[0]).toEqual({ kind: 'header', line: 2, delimiter: ';', fields: ['name', 'email', 'title', 'Enabled'] });
      expect(records(items)).toEqual([
        [3, ['Ann Lee', 'ann@example.com', 'Director, EMEA', 'TRUE']],
        [4, ['Bob Ray', 'bob@example.com', '', 'FALSE']],
      ]);
      expect((await readAll(source('"sep=,"\n\nname,email\nAnn,ann@example.com\n')))[0]).toMatchObject({ line: 3, delimiter: ',' });
    });

    it('picks the delimiter that splits the header into the most fields outside quotes', async () => {
      const items = await readAll(source('"a,b";"email";"c,d,e"\n"1,2";"x@example.com";"3"\n'));
      expect(items).toEqual([
        { kind: 'header', line: 1, delimiter: ';', fields: ['a,b', 'email', 'c,d,e'] },
        { kind: 'record', line: 2, fields: ['1,2', 'x@example.com', '3'] },
      ]);
    });

    it('reads tab-delimited files and keeps blanks inside values', async () => {
      const items = await readAll(source('name\temail\n Ann Lee \tann@example.com\n'));
      expect(items[0]).toMatchObject({ delimiter: '\t' });
      expect(records(items)).toEqual([[2, [' Ann Lee ', 'ann@example.com']]]);
    });

    it('drops blanks between a delimiter and an opening quote, and between a closing quote and a delimiter', async () => {
      const items = await readAll(source('"name" , "email"\n  "Ann Lee"  ,  "ann@example.com"  \n'));
      expect(records(items)).toEqual([[2, ['Ann Lee', 'ann@example.com']]]);
    });

    it('unescapes "" inside quotes and keeps delimiters and line breaks of quoted values', async () => {
      const items = await readAll(source('name,email,title\r\n"Ann ""Boss"" Lee","ann@example.com","Head of\r\nSales, EMEA"\r\nBob,bob@example.com,""\r\n'));
      expect(records(items)).toEqual([
        [2, ['Ann "Boss" Lee', 'ann@example.com', 'Head of\r\nSales, EMEA']],
        [4, ['Bob', 'bob@example.com', '']],
      ]);
    });

    it('treats a straight quote inside a typographic-quoted value as text', async () => {
      const items = await readAll(source('“name”,“email”\n“Ann "Boss" Lee”,“ann@example.com”\n'));
      expect(records(items)).toEqual([[2, ['Ann "Boss" Lee', 'ann@example.com']]]);
    });

    it('leaves a typographic quote that is not at a field boundary alone', async () => {
      const items = await readAll(source('name,email,title\nAnn,ann@example.com,The ″Chief″ Officer\n'));
      expect(records(items)).toEqual([[2, ['Ann', 'ann@example.com', 'The ″Chief″ Officer']]]);
    });
  });

  describe('line numbers', () => {
    it('count blank lines, lines before the header and quoted line breaks (LF, CRLF and lone CR)', async () => {
      const text = '\r\n\r\nname,email,title\r\n\r\n"A",a@example.com,"x\r\ny\rz\nw"\r\n\r\nB,b@example.com,\r\n';
      const items = await readAll(source(text));
      expect(lines(items)).toEqual([
        ['header', 3],
        ['record', 5],
        ['record', 10],
      ]);
      expect(records(items)[0][1][2]).toBe('x\r\ny\rz\nw');
    });
  });

  describe('a quote inside an unquoted value', () => {
    it('is text, as Excel reads it, with any delimiter and chunking', async () => {
      for (const delimiter of [',', ';', '\t']) {
        const text = ['name,email,title', `Robert "Bob" Smith,bob@example.com,5'11" tall`, 'Ann,ann@example.com,"Quoted, as ""usual"""', 'x"y,"z",w"']
          .map((l) => l.replaceAll(',', delimiter))
          .join('\n');
        for (const size of [1, 3, 64 * 1024]) {
          expect(records(await readAll(chunked(Buffer.from(text), size)))).toEqual([
            [2, ['Robert "Bob" Smith', 'bob@example.com', `5'11" tall`]],
            [3, ['Ann', 'ann@example.com', `Quoted${delimiter} as "usual"`]],
            [4, ['x"y', 'z', 'w"']],
          ]);
        }
      }
    });
  });

  describe('an unclosed quote', () => {
    it('is reported on its line and does not swallow the lines after it', async () => {
      const items = await readAll(fileSource('unclosed-quote.csv'));
      expect(problems(items)).toEqual([[3, 'unclosed-quote', 'line 3: a quote is opened but never closed; the line reads: "Bob Ray,"bob@example.com","Engineer","TRUE"']]);
      expect(records(items).map(([line, fields]) => [line, fields[1]])).toEqual([
        [2, 'ann@example.com'],
        [4, 'cid@example.com'],
        [5, 'dee@example.com'],
      ]);
    });

    it('running on past the row size limit is reported, and the thousands of lines after it are read', async () => {
      const bytes = Buffer.from(`${HEADER}\n${row(2)}\n"User 3,user3@example.com,Engineer,TRUE\n` + Array.from({ length: 5000 }, (_, n) => `"User ${n + 4}","user${n + 4}@example.com","Engineer","TRUE"`).join('\n') + '\n');
      const items = await readAll(chunked(bytes, 8192));
      expect(problems(items)).toEqual([
        [3, 'unclosed-quote', 'line 3: a quote is opened but never closed (the quoted text runs on for more than 64 KiB); the line reads: "User 3,user3@example.com,Engineer,TRUE'],
      ]);
      const read = records(items);
      expect(read).toHaveLength(5001);
      expect(read[1]).toEqual([4, ['User 4', 'user4@example.com', 'Engineer', 'TRUE']]);
      expect(read.at(-1)).toEqual([5003, ['User 5003', 'user5003@example.com', 'Engineer', 'TRUE']]);
    });

    it('in the header refuses the file', async () => {
      const outcome = await readOutcome(source('"name,email\nAnn,ann@example.com\n'));
      expect(outcome.refusal).toMatchObject({ code: 'unclosed-quote', line: 1, message: 'line 1: a quote in the column headings is opened but never closed' });
    });
  });

  describe('a line longer than maxRowBytes', () => {
    it('is reported by number, never held whole, and the next lines are read', async () => {
      const long = `Long,long@example.com,${'x'.repeat(70 * 1024)},TRUE`;
      const bytes = Buffer.from([HEADER, row(2), long, row(4), ''].join('\n'));
      for (const size of [1000, 64 * 1024, bytes.length]) {
        const items = await readAll(chunked(bytes, size));
        expect(lines(items)).toEqual([
          ['header', 1],
          ['record', 2],
          ['problem', 3],
          ['record', 4],
        ]);
        expect(problems(items)).toEqual([[3, 'line-too-long', 'line 3 is longer than 64 KiB']]);
      }
    });

    it('is skipped in linear time and flat memory even when it is 64 MiB long', async () => {
      const chunk = Buffer.alloc(64 * 1024, 'x');
      async function* file(): AsyncGenerator<Uint8Array> {
        yield Buffer.from(`${HEADER}\n${row(2)}\n"`);
        for (let i = 0; i < 1024; i++) yield chunk;
        yield Buffer.from(`\r\n${row(4)}\n`);
      }
      const heapBefore = process.memoryUsage().heapUsed;
      let heapPeak = heapBefore;
      const items: CsvReadItem[] = [];
      for await (const item of readCsvUserFile(file())) {
        items.push(item);
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      }
      expect(lines(items)).toEqual([
        ['header', 1],
        ['record', 2],
        ['problem', 3],
        ['record', 4],
      ]);
      expect(heapPeak - heapBefore).toBeLessThan(32 * 1024 * 1024);
    }, 20_000);

    it('stays linear when a long record trickles in a byte at a time', async () => {
      const long = `Long,long@example.com,${'x'.repeat(60 * 1024)},TRUE`;
      const started = Date.now();
      const items = await readAll(chunked(Buffer.from([HEADER, long, row(3), ''].join('\n')), 1));
      expect(records(items).map(([line, fields]) => [line, fields[2].length])).toEqual([
        [2, 60 * 1024],
        [3, 8],
      ]);
      expect(Date.now() - started).toBeLessThan(5_000);
    }, 20_000);

    it('follows the maxRowBytes option', async () => {
      const items = await readAll(source(`${HEADER}\n${row(2)}\nx,${'y'.repeat(200)}@example.com,,\n${row(4)}\n`), { maxRowBytes: 100 });
      expect(problems(items)).toEqual([[3, 'line-too-long', 'line 3 is longer than 100 bytes']]);
      expect(records(items).map(([line]) => line)).toEqual([2, 4]);
    });

    it('in the header refuses the file', async () => {
      const outcome = await readOutcome(source(`name,email,${'x'.repeat(200)}\n${row(2)}\n`), { maxRowBytes: 100 });
      expect(outcome.refusal).toMatchObject({ code: 'line-too-long', line: 1, message: 'line 1 (the column headings) is longer than 100 bytes' });
    });
  });

  describe('file-level refusals', () => {
    it.each([
      ['empty.csv', 'empty-file'],
      ['bom-only.csv', 'empty-file'],
      ['whitespace-only.csv', 'empty-file'],
      ['binary.png', 'not-csv'],
      ['binary.gz', 'not-csv'],
      ['utf16le-no-bom.csv', 'not-csv'],
      ['excel-workbook.csv', 'not-csv'],
      ['opendocument-spreadsheet.csv', 'not-csv'],
    ])('%s is refused as %s, before any item', async (fixture, code) => {
      const outcome = await readOutcome(fileSource(fixture));
      expect(outcome.items).toEqual([]);
      expect(outcome.refusal).toBeInstanceOf(ImportFileRefusedError);
      expect(outcome.refusal?.code).toBe(code);
    });

    it('explains a binary file in words an admin understands', async () => {
      const outcome = await readOutcome(fileSource('binary.png'));
      expect(outcome.refusal?.message).toBe(
        'This file is not a CSV text file: it contains binary data. Save or export the spreadsheet as "CSV" and upload that file.',
      );
    });

    it.each([
      [
        'excel-workbook.csv',
        'This file is an Excel workbook, not a CSV file. In Excel, choose File › Save As, pick "CSV UTF-8 (Comma delimited) (*.csv)" and upload that file.',
      ],
      [
        'opendocument-spreadsheet.csv',
        'This file is an OpenDocument spreadsheet, not a CSV file. In LibreOffice, choose File › Save As, pick "Text CSV (.csv)" and upload that file.',
      ],
      [
        'word-document.csv',
        'This file is a Word document, not a CSV file. Put the users in a spreadsheet, one per row under a heading row, then save it as "CSV UTF-8 (Comma delimited) (*.csv)" and upload that file.',
      ],
      ['utf32le-bom.csv', 'This file is UTF-32 text, which an import does not read. Save it as "CSV UTF-8" (or UTF-8 text) and upload that file.'],
      [
        'rtf-textedit.csv',
        'This file is an RTF document (what TextEdit saves by default), not plain text. In TextEdit, choose Format › Make Plain Text, save the file and upload it again.',
      ],
    ])('names the format of %s and how to save it as CSV', async (fixture, message) => {
      const outcome = await readOutcome(fileSource(fixture));
      expect(outcome.refusal?.message).toBe(message);
    });

    it.each([
      ['LE', (text: string) => Buffer.from(text, 'utf16le')],
      ['BE', (text: string) => Buffer.from(Buffer.from(text, 'utf16le').map((_, i, b) => (i % 2 === 0 ? b[i + 1] : b[i - 1])))],
    ])('tells UTF-16 %s without a BOM from binary data, and says how to save the file', async (_, encode) => {
      const outcome = await readOutcome(chunked(encode('name,email\r\nRenée,renee@example.com\r\n'), 5));
      expect(outcome.refusal?.code).toBe('not-csv');
      expect(outcome.refusal?.message).toBe(
        'This file is UTF-16 text without the byte-order mark that tells it from binary data. Save the spreadsheet as "CSV UTF-8" and upload that file.',
      );
    });

    it('reads a short file with a stray bell and NUL, rejecting only the NUL\'s line, saying why', async () => {
      const items = await readAll(fileSource('stray-nul-and-bell.csv'));
      expect(problems(items)).toEqual([[3, 'invalid-characters', 'line 3 holds a NUL character (a byte of binary data), which no value may hold; remove it']]);
      expect(records(items).map(([line, fields]) => [line, fields[2]])).toEqual([
        [2, 'Director\x07'],
        [4, ''],
      ]);
    });

    it('accepts a header without rows', async () => {
      expect(await readAll(fileSource('header-only.csv'))).toEqual([
        { kind: 'header', line: 1, delimiter: ',', fields: ['name', 'firstname', 'lastname', 'email/login', 'title', 'mobile', 'manager', 'Enabled'] },
      ]);
    });
  });

  describe('the row cap', () => {
    const file = (count: number): string => [HEADER, ...Array.from({ length: count }, (_, n) => row(n + 2)), '', ''].join('\n');

    it('allows exactly maxRows records, blank lines and padding rows not counted', async () => {
      const items = await readAll(source(file(5).replace('\n', '\n,,,\n\n')), { maxRows: 5 });
      expect(records(items)).toHaveLength(5);
    });

    it('refuses the file with too-many-rows once one more record comes', async () => {
      const outcome = await readOutcome(source(file(6)), { maxRows: 5 });
      expect(records(outcome.items)).toHaveLength(5);
      expect(outcome.refusal).toMatchObject({ code: 'too-many-rows', message: 'The file has more than 5 rows; split it into files of at most 5 rows.' });
    });

    it('counts problem lines as rows', async () => {
      const outcome = await readOutcome(source(`${HEADER}\n${row(2)}\n"broken,x@example.com\n${row(4)}\n`), { maxRows: 2 });
      expect(lines(outcome.items)).toEqual([
        ['header', 1],
        ['record', 2],
        ['problem', 3],
      ]);
      expect(outcome.refusal?.code).toBe('too-many-rows');
    });

    it('defaults to 1,000,000 rows and 64 KiB a row', () => {
      // Reading a million rows takes seconds; the options tests above show how the values are used.
      expect(DEFAULT_MAX_ROWS).toBe(1_000_000);
      expect(DEFAULT_MAX_ROW_BYTES).toBe(64 * 1024);
    });
  });

  describe('the source stream', () => {
    it('is destroyed when the caller stops reading early', async () => {
      const stream = Readable.from([Buffer.from(`${HEADER}\n${row(2)}\n${row(3)}\n`)]);
      for await (const item of readCsvUserFile(stream)) if (item.kind === 'header') break;
      expect(stream.destroyed).toBe(true);
    });

    it('is closed when the caller stops reading while a large chunk is still being parsed', async () => {
      let closed = false;
      async function* large(): AsyncGenerator<Uint8Array> {
        try {
          yield Buffer.from(`${HEADER}\n`);
          for (let chunk = 0; chunk < 10; chunk++) {
            yield Buffer.from(Array.from({ length: 5_000 }, (_, i) => row(2 + chunk * 5_000 + i) + '\n').join(''));
          }
        } finally {
          closed = true;
        }
      }
      let read = 0;
      for await (const item of readCsvUserFile(large())) if (item.kind === 'record' && ++read === 10) break;
      const deadline = Date.now() + 5_000;
      while (!closed && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      expect(closed).toBe(true);
    });

    it('is destroyed when the file is refused', async () => {
      const stream = Readable.from([await fixtureBytes('binary.png'), Buffer.from('more')]);
      await expect(readAll(stream)).rejects.toThrow(ImportFileRefusedError);
      expect(stream.destroyed).toBe(true);
    });

    it('is read no further ahead than the consumer: a slow consumer of a fast source has a few dozen chunks read ahead, not the file', async () => {
      let given = 0;
      async function* fast(): AsyncGenerator<Uint8Array> {
        yield Buffer.from(`${HEADER}\n`);
        // 40 chunks of 5,000 lines (about 9 MB), each ready at once.
        for (let chunk = 0; chunk < 40; chunk++) {
          given += 1;
          yield Buffer.from(Array.from({ length: 5_000 }, (_, i) => row(2 + chunk * 5_000 + i) + '\n').join(''));
        }
      }
      let read = 0;
      let mostAhead = 0;
      for await (const batch of readCsvUserFileBatches(fast())) {
        read += batch.filter((i) => i.kind === 'record').length;
        mostAhead = Math.max(mostAhead, given * 5_000 - read);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      expect(read).toBe(200_000);
      expect(mostAhead).toBeLessThan(5 * 5_000);
    });

    it('passes its errors on', async () => {
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield Buffer.from(`${HEADER}\n${row(2)}\n`.repeat(1) + 'x'.repeat(10_000) + '\n');
        throw new Error('connection reset');
      }
      await expect(readAll(failing())).rejects.toThrow('connection reset');
    });
  });

  it('is available as an injectable reader with fixed options', async () => {
    const reader = new CsvUserFileReader({ maxRows: 1 });
    const items: CsvReadItem[] = [];
    await expect(
      (async () => {
        for await (const item of reader.read(source(`${HEADER}\n${row(2)}\n${row(3)}\n`))) items.push(item);
      })(),
    ).rejects.toMatchObject({ code: 'too-many-rows' });
    expect(lines(items)).toEqual([
      ['header', 1],
      ['record', 2],
    ]);
  });
});
