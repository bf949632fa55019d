/**
 * What the core needs from the JavaScript runtime it runs on. The core (wire format, proxy, client agent)
 * only ever sees this interface plus Web-standard Request/Response/streams; each runtime gets one small
 * adapter (`deno/adapter.ts`, `bun/adapter.ts`) that fills it in. Entry points pick the adapter; nothing
 * else may touch `Deno.*` or `Bun.*`.
 */

/** Facts about one incoming request that a Web `Request` cannot carry. */
export interface ConnInfo {
  /**
   * True when the request line held an absolute URI (`GET http://host:9100/metrics HTTP/1.1`): the request
   * came through `proxy_url` and is a scrape to forward, never a request for the proxy's own pages.
   */
  readonly absoluteForm: boolean;
  /** Peer address, for logs. */
  readonly remoteAddress: string;
  /**
   * The certificate the peer presented on a TLS connection whose server asks for one; null when it
   * presented none (or the connection is plain). Absent when the server cannot tell.
   */
  readonly peerCertificate?: PeerCertificate | null;
}

/** A client certificate, as much of it as access control needs. */
export interface PeerCertificate {
  /** It chains to the configured client CA (`client_ca_file`); only then do its names mean anything. */
  readonly verified: boolean;
  /** Why it did not verify, for logs ("" when verified). */
  readonly verifyError: string;
  /** The subject's common name, for logs. */
  readonly commonName: string;
  /** SHA-256 fingerprint (hex with colons): tells two certificates with the same names apart. */
  readonly fingerprint: string;
  /** subjectAltName DNS names, lower case. */
  readonly dnsNames: readonly string[];
  /** subjectAltName IP addresses. */
  readonly ipAddresses: readonly string[];
}

export type Handler = (request: Request, info: ConnInfo) => Response | Promise<Response>;

export interface ServeOptions {
  /** Interface to bind; "" or undefined means all interfaces. */
  readonly hostname?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly handler: Handler;
  /** Largest request head the server accepts (bytes); larger heads get 431 from the server itself. */
  readonly maxHeaderBytes?: number;
  /** A request whose head has not fully arrived by then is dropped (slowloris guard), in ms. */
  readonly headersTimeoutMs?: number;
  /**
   * Most connections held at once; past it a new one is closed at once (default: what the process's file
   * descriptor limit leaves room for, so accept() never fails with EMFILE and spins).
   */
  readonly maxConnections?: number;
  /** Told once when connections reach `maxConnections` (`full`), and once when there is room again. */
  readonly onConnectionLimit?: (full: boolean, limit: number) => void;
  /** Optional TLS for the listener. */
  readonly tls?: ServerTls;
}

/** A TLS listener's material (PEM text) and client-certificate policy. */
export interface ServerTls {
  readonly cert: string;
  readonly key: string;
  /** CAs that client certificates are verified against. */
  readonly ca?: string;
  /** Ask clients for a certificate (exporter-toolkit's client_auth_type other than NoClientCert). */
  readonly requestCert?: boolean;
  /** Refuse the handshake of a client without a valid certificate (RequireAndVerifyClientCert). */
  readonly rejectUnauthorized?: boolean;
  /** Lowest protocol version offered; default TLS 1.2. */
  readonly minVersion?: "TLSv1.2" | "TLSv1.3";
}

export interface Server {
  /** The bound address, useful when port 0 was asked for. */
  readonly hostname: string;
  readonly port: number;
  /** Stop accepting, end open connections, resolve when closed. */
  close(): Promise<void>;
  /**
   * New TLS material (a rotated certificate) for connections accepted from now on; open ones keep theirs.
   * Rejects when the material is unusable, and the old material stays in force.
   */
  updateTls?(tls: ServerTls): Promise<void>;
}

/** TLS material for outgoing connections (PEM text). */
export interface TlsClientOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Skip certificate verification (only for `--tls.insecure-skip-verify`-style flags). */
  readonly insecureSkipVerify?: boolean;
}

/**
 * An HTTP client called as `fetch` is, that hands bodies through untouched: no silent gzip decoding
 * (fetch's behaviour, which would corrupt a relayed `Content-Encoding: gzip` reply), request bodies
 * streamed, responses streamed. The request's `signal` ends the exchange at once, whatever stage it is in
 * (dialling, sending, waiting for the head, reading the body), with the signal's reason: the client's
 * deadlines rely on that and keep no guard of their own. Callers that care for speed pass a URL and an
 * init rather than a `Request` (see src/http/client/request.ts).
 */
export type RawFetch = (input: Request | URL | string, init?: RawRequestInit) => Promise<Response>;

/**
 * fetch's init, plus `proxy` as Bun's fetch has it: the URL of an HTTP proxy to send the request through
 * (connect to the proxy, request line in absolute form). The cluster forwards scrapes to the proxy that
 * holds their client this way.
 */
export type RawRequestInit = RequestInit & { readonly proxy?: string | URL };

export interface Runtime {
  /** "deno" or "bun", and the runtime's own version, for `--version` and logs. */
  readonly name: "deno" | "bun";
  readonly version: string;
  /** Command-line arguments after the program name. */
  readonly args: readonly string[];
  env(name: string): string | undefined;
  /** The host's fully qualified domain name, best effort (falls back to the plain hostname). */
  fqdn(): Promise<string>;
  serve(options: ServeOptions): Promise<Server>;
  /** A raw HTTP(S) client; one per TLS configuration, connections kept alive and reused. */
  httpClient(tls?: TlsClientOptions): RawFetch;
  readTextFile(path: string): Promise<string>;
  /** Calls `onSignal` once on the first SIGINT or SIGTERM. */
  onShutdownSignal(onSignal: (signal: string) => void): void;
  writeStdout(text: string): void;
  writeStderr(text: string): void;
  exit(code: number): never;
}
