/**
 * What the proxy remembers about one client besides its polls and scrapes in flight: what it announced
 * (labels, version), when it last polled, and how its scrapes went. It lives in the coordinator's record
 * of the client and goes with it when the client is forgotten, so it is bounded by the connected fleet.
 * Updating it is a few field writes per poll and per scrape; nothing is allocated unless a scrape fails
 * or the client's labels change.
 */
import { type Labels, parseLabelsHeader } from "../wire/client_labels.ts";
import { clientVersionFromUserAgent } from "../wire/client_version.ts";
import { HttpError } from "./http_error.ts";

const NO_LABELS: Labels = new Map();

/** The longest error text kept per client: enough for a cause, bounded whatever a client pushes. */
export const MAX_ERROR_CHARS = 300;

/** What a poll announced: the raw headers, checked and read only when they differ from the last poll's. */
export interface Announcement {
  /** The `PushProx-Labels` header, or null. */
  readonly labels: string | null;
  /** The `User-Agent` header, or null. */
  readonly userAgent: string | null;
}

/**
 * One client's announcement and scrape record. Times are wall-clock milliseconds (for people and for
 * `/clients`), from the clock the coordinator is given.
 *
 * @example
 * ```ts
 * const stats = new ClientStats(Date.now());
 * stats.polled({ labels: "team=db", userAgent: null }, stats.labelsFor("team=db"), Date.now());
 * stats.scraped(null, Date.now());
 * ```
 */
export class ClientStats {
  /** When the proxy first saw this client (since it was last forgotten). */
  readonly since: number;
  labels: Labels = NO_LABELS;
  version = "";
  lastPollAt: number;
  succeeded = 0;
  failed = 0;
  /** Whether the latest finished scrape failed: the page marks such clients. */
  failing = false;
  lastError: string | null = null;
  lastErrorAt: number | null = null;
  #labelsHeader: string | null = null;
  #userAgent: string | null = null;

  constructor(now: number) {
    this.since = now;
    this.lastPollAt = now;
  }

  /**
   * The labels a poll's header stands for, parsed only when the header changed.
   *
   * @throws {HttpError} 400 naming the bad label: the poll is refused, so a client never appears with
   * labels other than the ones it asked for.
   */
  labelsFor(header: string | null): Labels {
    if (header === this.#labelsHeader) return this.labels;
    return parseLabels(header);
  }

  /** A poll arrived with these (already checked) labels. */
  polled(announcement: Announcement, labels: Labels, now: number): void {
    this.lastPollAt = now;
    this.#labelsHeader = announcement.labels;
    this.labels = labels;
    if (announcement.userAgent !== this.#userAgent) {
      this.#userAgent = announcement.userAgent;
      this.version = clientVersionFromUserAgent(announcement.userAgent);
    }
  }

  /** A scrape of this client finished: `error` is null when it succeeded. */
  scraped(error: string | null, now: number): void {
    if (error === null) {
      this.succeeded++;
      this.failing = false;
      return;
    }
    this.failed++;
    this.failing = true;
    this.lastError = error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS - 3)}...` : error;
    this.lastErrorAt = now;
  }
}

/** Labels of a client not seen before: null or a checked header. */
export function parseLabels(header: string | null): Labels {
  if (header === null || header === "") return NO_LABELS;
  try {
    return parseLabelsHeader(header);
  } catch (error) {
    throw new HttpError(400, (error as Error).message, { cause: error });
  }
}
