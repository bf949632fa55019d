/**
 * Test support for the raw server's fuzz test: the request bytes it throws at the server, each with the
 * replies it must get.
 */
import { type Case, chunked, echoText, type Intended, Random } from "./http_fuzz.ts";

/** Bytes from latin1 text, one byte per character. */
export const enc = (text: string) => Uint8Array.from(text, (ch) => ch.charCodeAt(0));
/** A request hidden in bodies and after hostile heads: the server serving it means it misread a framing. */
export const SMUGGLED = "GET /SMUGGLED HTTP/1.1\r\nHost: s\r\n\r\n";
/** A valid request: random method, target form, version, header spelling, line ends and body framing. */
function request(r: Random, i: number, smuggle: boolean, version = "HTTP/1.1", keepAlive = true): Intended {
  const eol = r.chance(0.1) ? "\n" : "\r\n";
  const method = r.pick(["GET", "GET", "POST", "PUT", "DELETE", "PATCH"]);
  const host = `h${r.int(9)}.example:${8000 + r.int(99)}`;
  const absolute = r.chance(0.2);
  // A streamed reply to HTTP/1.0 is unframed and ends the connection.
  const stream = !absolute && method === "GET" && r.chance(0.1);
  const target = absolute
    ? `http://node${i}:9100/metrics?i=${i}`
    : stream
    ? "/stream"
    : `/echo/${i}?q=${r.int(99)}`;
  let body = "";
  if (method !== "GET") {
    body = "b".repeat(r.chance(0.05) ? 17_000 : r.int(40)) + (smuggle && r.chance(0.5) ? SMUGGLED : "");
  }
  // An empty line before a request line is to be ignored (RFC 9112 section 2.2).
  let head = `${r.chance(0.05) ? "\r\n" : ""}${method} ${target} ${version}${eol}`;
  if (!absolute || r.chance(0.5)) head += `${r.pick(["Host", "host", "HOST"])}: ${host}${eol}`;
  if (version === "HTTP/1.0" && keepAlive) head += `Connection: keep-alive${eol}`;
  for (let n = r.int(3); n > 0; n--) head += `X-Pad-${n}:${r.pick(["", " ", "\t"])}v${r.int(1e6)} ${eol}`;
  let framed = body;
  if (body.length > 0 && version === "HTTP/1.1" && r.chance(0.4)) {
    head += `Transfer-Encoding: chunked${eol}`;
    framed = chunked(r, body);
  } else if (body.length > 0 || r.chance(0.3)) {
    const n = body.length;
    head += r.pick([`Content-Length: ${n}`, `content-length: ${n}, ${n}`, `Content-Length: 00${n}`]) + eol;
    if (r.chance(0.1)) head += `Content-Length: ${n}${eol}`;
  }
  if (body.length > 0 && r.chance(0.1)) head += `Expect: 100-continue${eol}`;
  const url = new URL(absolute ? target : `http://${host}${target}`).href;
  const reply = stream
    ? "part0part1part2"
    : echoText(method, url, absolute, enc(method === "GET" ? "" : body));
  return { text: `${head}${eol}${framed}`, reply, closes: version === "HTTP/1.0" && (!keepAlive || stream) };
}

/** Some valid requests, the last with `Connection: close`. */
function pipeline(r: Random, count: number, smuggle: boolean): Intended[] {
  const out = Array.from(
    { length: count },
    (_, i) => request(r, i, smuggle, r.chance(0.15) ? "HTTP/1.0" : "HTTP/1.1", r.chance(0.8)),
  );
  const last = "GET /last HTTP/1.1\r\nHost: z\r\nConnection: close\r\n\r\n";
  return [...out, { text: last, reply: echoText("GET", "http://z/last", false, enc("")), closes: true }];
}

/** The replies a server owes for `requests`: up to and including the first one after which it closes. */
function owed(requests: readonly Intended[]): string[] {
  const last = requests.findIndex((q) => q.closes);
  return requests.slice(0, last === -1 ? requests.length : last + 1).map((q) => q.reply);
}

/** Splits `text` into 1-4 pieces at random places. */
function pieces(r: Random, text: string): string[] {
  const cuts = Array.from({ length: r.int(4) }, () => r.int(text.length)).sort((a, b) => a - b);
  return [0, ...cuts, text.length].slice(1).map((end, i, all) => text.slice(i === 0 ? 0 : all[i - 1], end))
    .filter((piece, i) => i === 0 || piece.length > 0);
}

/** Hostile heads; `{key}` is replaced by one of FILL[key]. */
const BAD_HEADS: Array<[string, string]> = [
  ["bad Content-Length", "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: {cl}\r\n\r\n"],
  [
    "two Content-Lengths",
    "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabc",
  ],
  ["CL and TE", "POST /x HTTP/1.1\r\nHost: a\r\n{clte}\r\n\r\n0\r\n\r\n" + SMUGGLED],
  ["bad Transfer-Encoding", "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: {te}\r\n\r\n0\r\n\r\n"],
  ["bad header line", "GET /x HTTP/1.1\r\nHost: a\r\n{header}\r\n\r\n"],
  ["bad request line", "{line}\r\nHost: a\r\n\r\n"],
  ["bad target or Host", "{target}\r\n\r\n"],
];
/** Values for the placeholders of BAD_HEADS: each makes the request one a server must refuse. */
// deno-fmt-ignore
const FILL: Record<string, string[]> = {
  cl: ["-1", "+5", "0x5", "5.0", "5 5", "1e3", "", "99999999999999999999", "5,6", "\u0665", "0x", "-0"],
  clte: [
    "Content-Length: 5\r\nTransfer-Encoding: chunked", "Transfer-Encoding: chunked\r\nContent-Length: 5",
    "transfer-encoding: CHUNKED\r\ncontent-length: 40", "Content-Length: 0\r\nTransfer-Encoding: chunked",
  ],
  te: ["gzip", "chunked, gzip", "identity", "chunked;q=1", "xchunked", "chunked\r\nTransfer-Encoding: chunked", ",chunked"],
  header: [
    "X-A: a\x00b", "X-A: a\x01b", "X-A: a\rb", "X-A: a\r\n folded", "X-A: a\r\n\tfolded", "Host : a", "NoColon",
    ": empty-name", "X(A): v", "X-A: a\x7fb", "X A: v", "\x00: v",
  ],
  line: [
    "GET  / HTTP/1.1", "GET / HTTP/1.1 ", "GET\t/\tHTTP/1.1", "get / http/1.1", "GET / HTTP/2.0", "GET / HTTP/1",
    "GET /\x00 HTTP/1.1", "G\x80T / HTTP/1.1", "GET / HTTP/1.1\x00", "GET /", "/ HTTP/1.1", " GET / HTTP/1.1",
    "FOO / HTTP/1.1", "-ET / HTTP/1.1", "get / HTTP/1.1",
  ],
  target: [
    "CONNECT a:443 HTTP/1.1\r\nHost: a:443", "GET a:443 HTTP/1.1\r\nHost: a", "GET * HTTP/1.1\r\nHost: a",
    "GET metrics HTTP/1.1\r\nHost: a", "GET /metrics HTTP/1.1\r\nHost: evil/poll?", "GET /x HTTP/1.1\r\nHost: a@b",
    "GET /x HTTP/1.1\r\nHost: a#b", "GET /x HTTP/1.1\r\nHost: a\r\nHost: b", "GET /x HTTP/1.1\r\nHost: a b",
    "GET /x HTTP/1.1\r\nHost: a\\b", "GET http://a:99999/ HTTP/1.1\r\nHost: a", "GET http:// HTTP/1.1\r\nHost: a",
    "GET /x HTTP/1.1",
  ],
};
/** Chunk-size lines (and what follows) that no parser may read as a valid body. */
// deno-fmt-ignore
const BAD_CHUNKS = ["-1", "0x5", "g", "", " 5", "5 5", "1\r0", "ffffffffffffffff", "2\r\nabc", "3\r\nabcX", "3;a\x00\r\nabc"];

/** A request a server must refuse, after 0-2 valid ones it must answer, and a request to smuggle after it. */
function hostile(r: Random): Case {
  const kept = r.chance(0.5) ? pipeline(r, r.int(3), false).slice(0, -1).filter((q) => !q.closes) : [];
  const replies = kept.map((q) => q.reply);
  let text: string;
  let name: string;
  let statuses = [400];
  const kind = r.int(BAD_HEADS.length + 2);
  if (kind < BAD_HEADS.length) {
    const [label, template] = BAD_HEADS[kind]!;
    const key = /\{(\w+)\}/.exec(template)?.[1] ?? "";
    text = key === "" ? template : template.replace(`{${key}}`, r.pick(FILL[key]!));
    name = label;
    if (key === "line") statuses = [400, 505];
  } else if (kind === BAD_HEADS.length) {
    name = "bad chunk";
    text = `POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${
      r.pick(BAD_CHUNKS)
    }\r\n\r\n${SMUGGLED}`;
    statuses = [400, 0];
  } else {
    name = "oversized head";
    text = r.pick([
      `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${"b".repeat(17_000)}\r\n\r\n`,
      `GET /${"p".repeat(17_000)} HTTP/1.1\r\nHost: a\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: a\r\n${
        "X-Many: 0123456789012345678901234567890123456789\r\n".repeat(400)
      }\r\n`,
    ]);
    statuses = [431];
  }
  const all = kept.map((q) => q.text).join("") + text + SMUGGLED;
  return { name, pieces: pieces(r, all), expect: { kind: "refuse", replies, statuses } };
}

/** `text` with 1-3 random bytes replaced, inserted, deleted or a stretch repeated. */
function mutate(r: Random, text: string): string {
  const bytes = [...text];
  for (let n = 1 + r.int(3); n > 0; n--) {
    const at = r.int(bytes.length);
    // deno-fmt-ignore
    const byte = r.pick(["\x00", "\r", "\n", " ", ":", "\t", "\x7f", "\xff", "0", "-", ";", String.fromCharCode(r.int(256))]);
    const op = r.int(4);
    if (op === 0) bytes[at] = byte;
    else if (op === 1) bytes.splice(at, 0, byte);
    else if (op === 2) bytes.splice(at, 1 + r.int(4));
    else bytes.splice(at, 0, ...bytes.slice(at, at + 1 + r.int(20)));
  }
  return bytes.join("");
}

/**
 * The cases of one fuzz run: valid pipelines, hostile heads and bodies, truncations, random mutations, and
 * clients that leave mid-body or mid-response.
 */
export function fuzzCases(r: Random): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < 600; i++) {
    const qs = pipeline(r, 1 + r.int(4), true);
    const text = qs.map((q) => q.text).join("");
    cases.push({
      name: "valid pipeline",
      pieces: pieces(r, text),
      expect: { kind: "echo", replies: owed(qs), closes: true },
    });
  }
  for (let i = 0; i < 700; i++) cases.push(hostile(r));
  for (let i = 0; i < 250; i++) {
    const qs = pipeline(r, 1 + r.int(3), true).slice(0, -1);
    const text = qs.map((q) => q.text).join("");
    const cut = r.int(text.length);
    let end = 0;
    const complete = qs.filter((q) => (end += q.text.length) <= cut);
    const closes = complete.some((q) => q.closes);
    cases.push({
      name: "truncated",
      pieces: pieces(r, text.slice(0, cut)),
      expect: { kind: "echo", replies: owed(complete), closes },
    });
  }
  for (let i = 0; i < 900; i++) {
    const text = mutate(r, pipeline(r, 1 + r.int(3), false).map((q) => q.text).join(""));
    cases.push({ name: "mutated", pieces: pieces(r, text), expect: { kind: "loose" } });
  }
  for (let i = 0; i < 120; i++) {
    const body = r.chance(0.5);
    const text = body
      ? `POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: ${20 + r.int(30_000)}\r\n\r\nabc`
      : "GET /stream HTTP/1.1\r\nHost: a\r\n\r\n";
    cases.push({
      name: body ? "closed mid-body" : "closed mid-response",
      pieces: [text],
      expect: { kind: "loose" },
      abortMs: r.int(8),
    });
  }
  return cases;
}
