import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { problem } from './problem-details.filter.js';

/**
 * Node answers a request it cannot parse (headers over its 16 KiB limit, a broken request line) itself, before
 * Express sees it, with an empty body; with this listener that answer is Problem+JSON in words too.
 */
export function answerUnparsableRequests(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // The client went away, or an answer has begun: nothing can be said any more.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const detail =
      status === 431
        ? 'The request headers are over 16 KiB: send a shorter token and fewer or smaller cookies and headers.'
        : 'The request is not valid HTTP: check the request line and headers the client sends.';
    const body = JSON.stringify(problem(status, detail));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
