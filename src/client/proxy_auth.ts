/**
 * Basic auth towards the proxies: every poll and push carries `Authorization: Basic ...`, with the
 * credentials of that proxy's `--proxy-url` user info or, for a URL without any, those of
 * `--proxy.auth.file`. The user info is taken out of the URL before the request goes out, so neither the
 * HTTP client nor any error it raises ever sees it; logs show URLs without it (proxy_url.ts).
 * @module
 */
import type { RawFetch } from "../runtime/types.ts";

/** A user name and password. */
export interface BasicAuth {
  readonly user: string;
  readonly password: string;
}

/** A request URL without user info, and the header its credentials (or the default ones) make. */
interface Prepared {
  readonly url: URL;
  readonly authorization: string | null;
}

/** `Basic ...` for a user and password (UTF-8, RFC 7617). */
export function basicAuthorization(auth: BasicAuth): string {
  const bytes = new TextEncoder().encode(`${auth.user}:${auth.password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * `fetch` for the proxy legs with credentials added. The poll loops call it with the same few URL objects
 * over and over, so what each needs is worked out once per URL object.
 *
 * @example
 * ```ts
 * const proxyFetch = withProxyAuth(runtime.httpClient(tls), { user: "host1", password: "secret" });
 * await proxyFetch(new URL("https://proxy:8443/poll"), { method: "POST", body });
 * ```
 */
export function withProxyAuth(fetch: RawFetch, fallback: BasicAuth | null): RawFetch {
  const fallbackHeader = fallback === null ? null : basicAuthorization(fallback);
  const prepared = new WeakMap<URL, Prepared>();
  const prepare = (input: URL): Prepared => {
    let known = prepared.get(input);
    if (known === undefined) {
      known = userInfoOf(input, fallbackHeader);
      prepared.set(input, known);
    }
    return known;
  };
  return (input, init) => {
    if (input instanceof Request) {
      const { url, authorization } = userInfoOf(new URL(input.url), fallbackHeader);
      if (authorization === null) return fetch(input);
      const request = new Request(url, input);
      request.headers.set("authorization", authorization);
      return fetch(request);
    }
    const { url, authorization } = input instanceof URL
      ? prepare(input)
      : userInfoOf(new URL(input), fallbackHeader);
    if (authorization === null) return fetch(url, init);
    return fetch(url, {
      ...init,
      headers: [...headerLines(init?.headers), ["Authorization", authorization]],
    });
  };
}

function userInfoOf(input: URL, fallbackHeader: string | null): Prepared {
  if (input.username === "" && input.password === "") return { url: input, authorization: fallbackHeader };
  const url = new URL(input);
  url.username = "";
  url.password = "";
  const auth = { user: decodeURIComponent(input.username), password: decodeURIComponent(input.password) };
  return { url, authorization: basicAuthorization(auth) };
}

function headerLines(headers: HeadersInit | undefined): [string, string][] {
  if (headers === undefined) return [];
  if (headers instanceof Headers) return [...headers];
  if (Array.isArray(headers)) return headers.map(([name, value]) => [name, value] as [string, string]);
  return Object.entries(headers);
}

/**
 * The credentials in a `--proxy.auth.file`: its first line, `user:password` (the password may hold
 * colons; a trailing newline is not part of it).
 *
 * @throws {TypeError} when the line has no colon or no user.
 * @example
 * ```ts
 * parseAuthFile("host1:s3cret\n"); // { user: "host1", password: "s3cret" }
 * ```
 */
export function parseAuthFile(text: string): BasicAuth {
  const line = text.split(/\r?\n/)[0];
  const colon = line.indexOf(":");
  if (colon <= 0) throw new TypeError("expected one line user:password");
  return { user: line.slice(0, colon), password: line.slice(colon + 1) };
}
