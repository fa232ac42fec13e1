// A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading apostrophe in what the import
// writes back (OWASP's advice against CSV injection), and loses it again when such a file is uploaded. Blanks before
// the sign count too: LibreOffice's "Trim spaces" on opening a CSV (and programs that trim cells) make " =…" a formula.
const FORMULA_START = /^\s*[=+\-@\t\r]/;
const NEUTRALISED = /^'\s*[=+\-@\t\r]/;
const APOSTROPHE = 39;
const EQUALS = 61;
// Excel's way to keep a value as text (a leading +, zeros, an e-mail it would link): the formula ="…", whose
// result is the text between the quotes, with "" for a quote.
const TEXT_FORMULA = /^="((?:[^"]|"")*)"$/;

/** The cell as the import's error report writes it: never the start of a formula. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The cell as it was before neutraliseFormula, so a fixed error report uploads as it is. */
export function restoreFormula(value: string): string {
  return value.charCodeAt(0) === APOSTROPHE && NEUTRALISED.test(value) ? value.slice(1) : value;
}

/**
 * The text a spreadsheet shows for the cell: the error report's guard dropped, and ="…" read as the text it gives.
 * Any other formula stays as written.
 */
export function cellText(value: string): string {
  const restored = restoreFormula(value);
  if (restored.charCodeAt(0) !== EQUALS) return restored;
  const text = TEXT_FORMULA.exec(restored);
  return text === null ? restored : text[1].replaceAll('""', '"').trim();
}
