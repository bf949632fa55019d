/**
 * TLS for the node:http server (node_server.ts): the listener's options, putting new material in force, and
 * the client certificate of a connection. Deno's node:https has `setSecureContext`; Bun's has not, so there a
 * rotation listens anew on the same port with a fresh server (open connections keep the old one).
 * @module
 */
import type http from "node:http";
import type https from "node:https";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { PeerCertificate, ServerTls } from "../../runtime/types.ts";
import { toPeerCertificate } from "./peer_certificate.ts";

/** node:tls's server options for `tls`. */
export function nodeTls(tls: ServerTls) {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    requestCert: tls.requestCert ?? false,
    rejectUnauthorized: tls.rejectUnauthorized ?? false,
    minVersion: tls.minVersion ?? "TLSv1.2",
  } as const;
}

/**
 * Puts `tls` in force for new connections: `setSecureContext` where the runtime has it, else `relisten`,
 * which replaces the listening server (the returned promise settles once the new one listens).
 */
export function updateNodeTls(
  server: http.Server,
  tls: ServerTls,
  relisten: (tls: ServerTls) => Promise<void>,
): Promise<void> {
  try {
    // Deno's setSecureContext takes anything and every later handshake fails: check the pair first.
    if (!new X509Certificate(tls.cert).checkPrivateKey(createPrivateKey(tls.key))) {
      throw new TypeError("the key is not the certificate's");
    }
  } catch (error) {
    return Promise.reject(error);
  }
  const secure = server as Partial<Pick<https.Server, "setSecureContext">>;
  if (typeof secure.setSecureContext !== "function") return relisten(tls);
  try {
    secure.setSecureContext(nodeTls(tls));
  } catch (error) {
    return Promise.reject(error);
  }
  return Promise.resolve();
}

/**
 * The client certificate of a TLS connection, read once per connection; undefined where the runtime's
 * node:https cannot tell (Bun's sockets there have no getPeerCertificate).
 */
export function peerOf(
  socket: Socket,
  peers: WeakMap<Socket, PeerCertificate | null>,
): PeerCertificate | null | undefined {
  const known = peers.get(socket);
  if (known !== undefined) return known;
  const tls = socket as Partial<TLSSocket>;
  if (typeof tls.getPeerCertificate !== "function") return undefined;
  const peer = toPeerCertificate(
    tls.getPeerCertificate(),
    tls.authorized === true,
    String(tls.authorizationError ?? ""),
  );
  peers.set(socket, peer);
  return peer;
}
