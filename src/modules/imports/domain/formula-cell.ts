// A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading apostrophe in what the import
// writes back (OWASP's advice against CSV injection), and loses it again when such a file is uploaded.
const FORMULA_START = /^[=+\-@\t\r]/;
const NEUTRALISED = /^'[=+\-@\t\r]/;
const APOSTROPHE = 39;

/** The cell as the import's error report writes it: never the start of a formula. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The cell as it was before neutraliseFormula, so a fixed error report uploads as it is. */
export function restoreFormula(value: string): string {
  return value.charCodeAt(0) === APOSTROPHE && NEUTRALISED.test(value) ? value.slice(1) : value;
}
