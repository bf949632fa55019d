/** The Deno side of the raw HTTP client: `Deno.connect` / `Deno.connectTls`, whose conns are ByteConns. */
import type { Dial } from "../../http/client/byte_conn.ts";
import { dialAddress } from "../../http/client/byte_conn.ts";
import type { TlsClientOptions } from "../types.ts";

/**
 * A Dial over Deno's sockets with the given TLS settings.
 *
 * @throws {TypeError} for `insecureSkipVerify`: `Deno.connectTls` cannot skip verification (only the
 * `--unsafely-ignore-certificate-errors` flag can).
 */
export function denoDialer(tls: TlsClientOptions = {}): Dial {
  if (tls.insecureSkipVerify) {
    throw new TypeError(
      "Cannot skip TLS verification with Deno.connectTls: run deno with --unsafely-ignore-certificate-errors",
    );
  }
  return (url, signal) => {
    const { hostname, port } = dialAddress(url);
    if (url.protocol === "http:") return Deno.connect({ hostname, port, signal });
    const caCerts = tls.ca === undefined ? undefined : [tls.ca];
    // connectTls takes no signal; the client checks the signal as soon as the connection is up.
    if (tls.cert !== undefined && tls.key !== undefined) {
      return Deno.connectTls({ hostname, port, caCerts, cert: tls.cert, key: tls.key });
    }
    return Deno.connectTls({ hostname, port, caCerts });
  };
}
