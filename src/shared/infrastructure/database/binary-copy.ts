/** PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4). */
export const BINARY_COPY_SIGNATURE = 'PGCOPY\n\xff\r\n\0';

/** The signature, no flags, no header extension. */
export const BINARY_COPY_HEADER = Buffer.from(`${BINARY_COPY_SIGNATURE}\0\0\0\0\0\0\0\0`, 'latin1');

/** The file trailer: a field count of -1. */
export const BINARY_COPY_TRAILER = Buffer.from([0xff, 0xff]);
