/**
 * Where node:http on Bun and Deno is more lenient than our own server, and what closes a connection after a
 * refusal: both runtimes otherwise keep it open, reading (and answering) whatever the peer sends next.
 */
import type http from "node:http";
import type { Socket } from "node:net";
import { trimOws } from "../../wire/http_syntax.ts";
import { statusText } from "../../wire/status_text.ts";

/**
 * Answers with a one-line reason and closes the connection: node:http on Bun and Deno leaves it open
 * otherwise, reading (and answering) whatever the peer sends next, however slowly it sends it.
 */
export function refuse(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  reason: string,
): void {
  void closeAfter(req, res, () => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: "close" });
    res.end(`${reason.replace(/[\r\n]+/g, " ")}\n`);
    return Promise.resolve();
  });
}

/**
 * What node:http could not parse (a broken chunk size, too large a head) is answered with its reason, as
 * our Bun server does, rather than node:http's bare status line.
 */
export function refuseUnparsed(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return void socket.destroy();
  const status = error.code === "HPE_HEADER_OVERFLOW"
    ? 431
    : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
    ? 408
    : 400;
  // Deno's messages say only "Parse Error"; its code (HPE_INVALID_CHUNK_SIZE) names the problem.
  const what = `${error.code ?? ""} ${error.message}`.replace(/[\r\n]+/g, " ").trim().slice(0, 200);
  const reason = `malformed request: ${what}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${statusText(status)}\r\n` +
      `content-type: text/plain; charset=utf-8\r\ncontent-length: ${reason.length}\r\nconnection: close\r\n\r\n${reason}`,
  );
  setTimeout(() => socket.destroy(), LINGER_MS);
}

/** How long a closing connection may take to say goodbye (FIN) before it is cut. */
const LINGER_MS = 1000;

/** Runs `write`, then ends the connection once the response is out. */
export async function closeAfter(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  write: () => Promise<void>,
): Promise<void> {
  const socket = req.socket;
  res.once("finish", () => {
    // End (FIN) rather than destroy: a reset could discard the answer the peer has not read yet.
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS);
  });
  await write();
}

/** The values of header `name` (lower case) joined with ", ", as one header; null when absent. */
export function rawHeader(req: http.IncomingMessage, name: string): string | null {
  let joined: string | null = null;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === name) joined = joined === null ? raw[i + 1]! : `${joined}, ${raw[i + 1]}`;
  }
  return joined;
}

/**
 * node:http on Bun and Deno takes any coding list that ends in chunked (`identity, chunked`); ours refuses
 * what it does not implement, as the Bun server does, rather than guess where such a body ends.
 */
export function checkTransferEncoding(req: http.IncomingMessage): void {
  const codings = rawHeader(req, "transfer-encoding");
  if (codings !== null && trimOws(codings).toLowerCase() !== "chunked") {
    throw new TypeError(`unsupported Transfer-Encoding "${codings.slice(0, 64)}": only chunked is accepted`);
  }
}
