/**
 * The slice of Bun's raw TCP API (its listen()) that our HTTP server uses, declared here so the rest of
 * the code never needs Bun's type package, and so tests can drive a connection with a fake socket.
 */

import type { RawPeerCertificate } from "./peer_certificate.ts";

/** One accepted connection, as Bun hands it to the socket handlers. */
export interface BunSocket<Data> {
  data: Data;
  readonly remoteAddress: string;
  /** Bytes taken: fewer than given when the kernel buffer is full (wait for `drain`), -1 when closed. */
  write(bytes: Uint8Array): number;
  /** Sends what is queued, then FIN. */
  end(): void;
  /** Closes at once (RST). */
  terminate(): void;
  /** Seconds until the `timeout` handler runs; 0 disarms. Not reset by traffic (measured, Bun 1.4). */
  timeout(seconds: number): void;
  pause(): void;
  resume(): void;
  /** TLS only: the certificate chain verified against the listener's `ca`. */
  readonly authorized?: boolean;
  /** TLS only: node:tls's shape; an empty object when the peer sent no certificate. */
  getPeerCertificate?(): RawPeerCertificate | null;
  /** TLS only: why `authorized` is false. */
  getAuthorizationError?(): Error | null;
}

/** Handlers shared by every connection of one listener. */
export interface BunSocketHandlers<Data> {
  open(socket: BunSocket<Data>): void;
  data(socket: BunSocket<Data>, bytes: Uint8Array): void;
  drain(socket: BunSocket<Data>): void;
  close(socket: BunSocket<Data>): void;
  error(socket: BunSocket<Data>, error: Error): void;
  timeout(socket: BunSocket<Data>): void;
}

/** A listening socket. */
export interface BunListener {
  readonly hostname: string;
  readonly port: number;
  stop(closeActiveConnections?: boolean): void;
}

/** Bun's TLS options as we use them (Bun's listen() takes no minVersion: `secureOptions` bits do it). */
export interface BunTlsOptions {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
  readonly requestCert?: boolean;
  readonly rejectUnauthorized?: boolean;
  readonly secureOptions?: number;
}

/** The listen() options as we use them. */
export interface BunListenOptions<Data> {
  readonly hostname: string;
  readonly port: number;
  readonly tls?: BunTlsOptions;
  readonly socket: BunSocketHandlers<Data> & { readonly binaryType: "uint8array" };
}

/** listen() itself (src/runtime/bun/sockets.ts gives Bun's). */
export type BunListen = <Data>(options: BunListenOptions<Data>) => BunListener;
