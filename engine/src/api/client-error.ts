// Requests Node rejects before Koa sees them (headers too large, malformed HTTP) still get problem+json.
import type { Duplex } from 'node:stream';

export const MAX_HEADER_BYTES = 256 * 1024;

const REASONS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'request.headers_too_large',
    `the request line and headers exceed ${MAX_HEADER_BYTES} bytes; send long filters in fewer characters`,
  ],
};

export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) return;
  const [status, code, detail] = REASONS[err.code ?? ''] ?? [400, 'request.malformed', 'the HTTP request is malformed'];
  const body = JSON.stringify({ type: `https://tessera.dev/problems/${code}`, title: code, status, detail });
  socket.end(
    `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
