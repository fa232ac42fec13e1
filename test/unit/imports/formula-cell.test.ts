import { cellText, neutraliseFormula, restoreFormula } from '../../../src/modules/imports/domain/formula-cell.js';

describe('formula cells', () => {
  it.each(['=HYPERLINK("http://evil.example")', '+44 7911 123456', '-2', '@SUM(A1)', '\tx', '\rx', ' =1+1', '  -2', '\u00a0@SUM(A1)', ' \t+x'])('guards %j, and gives it back as written', (value) => {
    expect(neutraliseFormula(value)).toBe(`'${value}`);
    expect(restoreFormula(neutraliseFormula(value))).toBe(value);
  });

  it.each(['Ann', "O'Neil", "'quoted'", "'", '', "''+1", ' Ann', '  ', ' 5-2'])('leaves %j alone both ways', (value) => {
    expect(neutraliseFormula(value)).toBe(value);
    expect(restoreFormula(value)).toBe(value);
  });
});

describe('cellText', () => {
  it.each([
    ['="+44 7911 123456"', '+44 7911 123456'],
    ['="007"', '007'],
    ['="ann@example.com"', 'ann@example.com'],
    ['="The ""Chief"" Officer"', 'The "Chief" Officer'],
    ['=" padded "', 'padded'],
    ['=""', ''],
    [`'="+44 7911 123456"`, '+44 7911 123456'],
    [`'-Dash`, '-Dash'],
  ])('reads %j as the text %j', (value, text) => {
    expect(cellText(value)).toBe(text);
  });

  it.each(['=A1', '=HYPERLINK("http://evil.example")', '="a"&"b"', '="unclosed', '="a"b"', '= "spaced"', 'Ann', ''])('leaves %j as written', (value) => {
    expect(cellText(value)).toBe(value);
  });
});
