import csvParser from 'csv-parser';

/**
 * What the reader relies on, or works around, in csv-parser 3. If an upgrade changes one of these, the reader's
 * design (the scanner enforcing the row limit before csv-parser) should be looked at again.
 */
async function parse(text: string, options: csvParser.Options): Promise<{ rows: string[][]; error?: string }> {
  const parser = csvParser(options);
  const rows: string[][] = [];
  parser.end(text);
  try {
    for await (const row of parser as AsyncIterable<Record<string, string>>) rows.push(Object.values(row));
    return { rows };
  } catch (error) {
    return { rows, error: (error as Error).message };
  }
}

describe('csv-parser, as the reader uses it', () => {
  it('cannot go on after a row over maxRowBytes: the stream fails and the lines after it are lost', async () => {
    const result = await parse(`a,b\n${'x'.repeat(200)},y\nc,d\n`, { headers: false, maxRowBytes: 100 });
    expect(result).toEqual({ rows: [['a', 'b']], error: 'Row exceeds the maximum size' });
  });

  it('gives every field of a record with headers: false, whatever their number', async () => {
    expect(await parse('a,b,c\n1,2\n3,4,5,6\n', { headers: false })).toEqual({ rows: [['a', 'b', 'c'], ['1', '2'], ['3', '4', '5', '6']] });
  });

  it('only splits records on LF (a lone CR is the scanner’s job) and drops the CR of CRLF', async () => {
    expect(await parse('a,b\r\nc,d\re,f\n', { headers: false })).toEqual({ rows: [['a', 'b'], ['c', 'd\re', 'f']] });
  });

  it('needs a closing quote right before the delimiter: blanks after it swallow the next field', async () => {
    expect(await parse('"a" ,"b"\n', { headers: false })).toEqual({ rows: [['a" ,"b']] });
  });

  it('emits an empty record for an empty line, which is why the scanner passes none on', async () => {
    expect(await parse('a\n\nb\n', { headers: false })).toEqual({ rows: [['a'], [], ['b']] });
  });
});
