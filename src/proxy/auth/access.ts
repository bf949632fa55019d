/**
 * Who may do what on the proxy, from the web config file. Three kinds of request, three checks:
 * - a scrape (absolute-form, through `proxy_url`) needs a scraper's `Proxy-Authorization` (else 407);
 * - the proxy's own pages (`/metrics`, `/clients`, anything else) need a scraper's `Authorization` (else 401);
 * - `/poll` and `/push` need a client: a basic-auth client user, or a verified client certificate (else 401).
 * A valid credential of the wrong role is refused with 403. The result of a client check is a
 * {@linkcode ClientPrincipal}: who it is (bound to the scrapes its polls take) and which names it may register.
 * @module
 */
import type { ConnInfo, PeerCertificate } from "../../runtime/types.ts";
import type { AccessSettings } from "../web_config/load.ts";
import type { ClientAuthType } from "../web_config/schema.ts";
import { HttpError } from "../http_error.ts";
import { parseBasicCredentials } from "./basic_credentials.ts";
import { nameAllowed } from "./name_patterns.ts";
import { PasswordCheck, type Verdict } from "./password_check.ts";

const REALM = 'Basic realm="pushprox", charset="UTF-8"';

/** A client allowed to poll and push. */
export interface ClientPrincipal {
  /** Stable identity: `user:NAME` or `cert:FINGERPRINT`; "" when no authentication is configured. */
  readonly id: string;
  /** For logs: `user "host1"`, `certificate "host1.example.com"`. */
  readonly label: string;
  /** May it register (poll for) this FQDN? */
  mayRegister(fqdn: string): boolean;
}

/** Everyone, when nothing is configured: the proxy behaves as upstream's. */
export const ANYONE: ClientPrincipal = { id: "", label: "anonymous", mayRegister: () => true };

/** A refusal: the status and answer, plus the principal (if known) for the log line. */
export class AccessDenied extends HttpError {
  readonly principal: string;
  constructor(status: 401 | 403 | 407 | 503, message: string, principal = "") {
    super(status, message);
    this.name = "AccessDenied";
    this.principal = principal;
  }

  override toResponse(): Response {
    const response = super.toResponse();
    if (this.status === 401) response.headers.set("www-authenticate", REALM);
    if (this.status === 407) response.headers.set("proxy-authenticate", REALM);
    return response;
  }
}

type Checked<T> = T | AccessDenied | Promise<T | AccessDenied>;

export interface AccessControlOptions {
  readonly settings: AccessSettings;
  /** The TLS listener's client_auth_type ("NoClientCert" without TLS). */
  readonly clientAuth: ClientAuthType;
  readonly passwords?: PasswordCheck;
}

export class AccessControl {
  readonly #settings: AccessSettings;
  readonly #clientAuth: ClientAuthType;
  readonly #passwords: PasswordCheck;
  /** Scrapes and pages need credentials once any user exists. */
  readonly #usersRequired: boolean;
  /** Polls and pushes need a client credential once users exist or certificates can name clients. */
  readonly #clientsRequired: boolean;

  constructor(options: AccessControlOptions) {
    this.#settings = options.settings;
    this.#clientAuth = options.clientAuth;
    this.#passwords = options.passwords ?? new PasswordCheck(options.settings.users);
    this.#usersRequired = options.settings.users.size > 0;
    const verifies = options.clientAuth === "VerifyClientCertIfGiven" ||
      options.clientAuth === "RequireAndVerifyClientCert";
    this.#clientsRequired = this.#usersRequired || (verifies && options.settings.certificateNames);
  }

  /** A scrape through `proxy_url`: null when allowed. */
  scraper(request: Request, info: ConnInfo): Checked<null> {
    return this.#role(request, info, "proxy-authorization", 407, "scrape");
  }

  /** A request for one of the proxy's own pages: null when allowed. */
  reader(request: Request, info: ConnInfo): Checked<null> {
    return this.#role(request, info, "authorization", 401, "read the proxy's pages");
  }

  /** A poll or push: who is asking. */
  client(request: Request, info: ConnInfo): Checked<ClientPrincipal> {
    const refused = this.#certificatePolicy(info);
    if (refused !== null) return refused;
    const credentials = parseBasicCredentials(request.headers.get("authorization"));
    if (credentials !== null) {
      const { user, password } = credentials;
      return this.#whenVerified(user, password, 401, (): ClientPrincipal | AccessDenied => {
        const patterns = this.#settings.clients.get(user);
        if (patterns === undefined) {
          return new AccessDenied(
            403,
            `user "${user}" is not a client: it may not poll or push`,
            `user "${user}"`,
          );
        }
        return {
          id: `user:${user}`,
          label: `user "${user}"`,
          mayRegister: (fqdn) => nameAllowed(patterns, fqdn),
        };
      });
    }
    const certificate = info.peerCertificate;
    if (certificate?.verified && this.#settings.certificateNames) return certificatePrincipal(certificate);
    if (!this.#clientsRequired) return ANYONE;
    if (certificate === undefined && this.#clientAuth !== "NoClientCert") {
      return new AccessDenied(
        403,
        "this server cannot read client certificates (node:https on Bun, PUSHPROX_BUN_SERVER=node); use basic auth or the default server",
      );
    }
    return new AccessDenied(401, "client authentication required: basic auth or a client certificate");
  }

  #role(
    request: Request,
    info: ConnInfo,
    header: "authorization" | "proxy-authorization",
    status: 401 | 407,
    action: string,
  ): Checked<null> {
    const refused = this.#certificatePolicy(info);
    if (refused !== null) return refused;
    if (!this.#usersRequired) return null;
    const credentials = parseBasicCredentials(request.headers.get(header));
    if (credentials === null) {
      return new AccessDenied(status, `authentication required: no ${header} basic credentials to ${action}`);
    }
    const { user, password } = credentials;
    return this.#whenVerified(
      user,
      password,
      status,
      () =>
        this.#settings.scrapers.has(user)
          ? null
          : new AccessDenied(403, `user "${user}" is not a scraper: it may not ${action}`, `user "${user}"`),
    );
  }

  #whenVerified<T>(
    user: string,
    password: string,
    status: 401 | 407,
    then: () => T | AccessDenied,
  ): Checked<T> {
    const judge = (verdict: Verdict): T | AccessDenied =>
      verdict === true
        ? then()
        : verdict === "busy"
        ? new AccessDenied(503, "too many password checks under way; try again", `user "${user}"`)
        : new AccessDenied(status, `wrong user name or password (user "${user}")`, `user "${user}"`);
    const verdict = this.#passwords.verify(user, password);
    return verdict instanceof Promise ? verdict.then(judge) : judge(verdict);
  }

  /** What client_auth_type demands of the connection beyond what the TLS handshake enforced. */
  #certificatePolicy(info: ConnInfo): AccessDenied | null {
    const certificate = info.peerCertificate;
    if (this.#clientAuth === "RequireAnyClientCert" && certificate === null) {
      return new AccessDenied(
        403,
        "a client certificate is required (client_auth_type RequireAnyClientCert)",
      );
    }
    if (this.#clientAuth === "VerifyClientCertIfGiven" && certificate && !certificate.verified) {
      return new AccessDenied(
        403,
        `client certificate "${certificate.commonName}" not verified: ${certificate.verifyError}`,
        `certificate "${certificate.commonName}"`,
      );
    }
    return null;
  }
}

function certificatePrincipal(certificate: PeerCertificate): ClientPrincipal {
  const names = new Set([...certificate.dnsNames, ...certificate.ipAddresses]);
  const wildcards = certificate.dnsNames.filter((name) => name.startsWith("*."));
  const label = `certificate "${certificate.commonName}"`;
  return {
    id: `cert:${certificate.fingerprint}`,
    label,
    // A wildcard SAN covers one label, as in TLS name checks (RFC 6125), not any depth.
    mayRegister: (fqdn) =>
      names.has(fqdn) ||
      wildcards.some((w) =>
        fqdn.endsWith(w.slice(1)) && !fqdn.slice(0, -(w.length - 1)).includes(".") &&
        fqdn.length > w.length - 1
      ),
  };
}
