import { neutraliseFormula, restoreFormula } from '../../../src/modules/imports/domain/formula-cell.js';

describe('formula cells', () => {
  it.each(['=HYPERLINK("http://evil.example")', '+44 7911 123456', '-2', '@SUM(A1)', '\tx', '\rx'])('guards %j, and gives it back as written', (value) => {
    expect(neutraliseFormula(value)).toBe(`'${value}`);
    expect(restoreFormula(neutraliseFormula(value))).toBe(value);
  });

  it.each(['Ann', "O'Neil", "'quoted'", "'", '', "''+1"])('leaves %j alone both ways', (value) => {
    expect(neutraliseFormula(value)).toBe(value);
    expect(restoreFormula(value)).toBe(value);
  });
});
