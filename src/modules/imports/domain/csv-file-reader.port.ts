import type { CsvReadItem } from './csv-record.js';

/**
 * Turns the bytes of an uploaded file into records. Items come in file order, the header first; a file that
 * cannot be read at all makes the iteration throw an ImportFileRefusedError, possibly after some items (a
 * row cap is only known to be exceeded once it is reached), so a caller keeps nothing from a refused file.
 */
export interface CsvFileReader {
  read(source: AsyncIterable<Uint8Array>): AsyncIterable<CsvReadItem>;
}
