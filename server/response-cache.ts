/**
 * A shared-cache in front of the Remix handler for the public policy pages and JSON API, the way a
 * CDN would sit in front of them. It stores a copy of each cacheable answer the app renders and
 * replays it while the public state (publicStateToken: published versions, documents, today's date)
 * is unchanged, so a popular page is rendered once, not once per visit. It follows shared-cache rules:
 * only GET/HEAD without cookies or credentials, only 200 answers marked `public` with an ETag and no
 * Set-Cookie or Vary other than Accept-Encoding. Each stored answer keeps its brotli and gzip
 * variants, compressed once (in the background) when it is stored, so a hit costs no compression.
 * Answers say `X-Cache: hit` or `miss`. See docs/decisions/0005-public-site-caching.md and
 * docs/decisions/0015-security-headers-and-compression.md.
 *
 * Two halves: `answer` serves hits on the bare request, before Express runs (as a CDN in front of
 * the server would; Express's own set-up of a request costs more than a whole hit), and marks misses;
 * `record`, an Express middleware after the compression middleware, stores what the app writes for
 * a marked request, as identity bytes.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { isSlug } from "../app/core/identifiers";
import {
  currentCacheControl,
  IMMUTABLE_CACHE_CONTROL,
  ifNoneMatchMatches,
} from "../app/core/public/http-cache";
import { type Encoding, encodeVariants, preferredEncoding, type Variants } from "./compression";

type Entry = {
  token: string;
  etag: string;
  /** The stored headers but Content-Type and Cache-Control, as name, value, name, value … for writeHead. */
  headers: string[];
  contentType: string | null;
  cacheControl: string;
  variants: Variants;
  /** The codings stored besides identity, in order of preference. */
  encodings: Encoding[];
  bytes: number;
};

/** Which URLs are considered (the slug by the one slug rule), and the query parameters that can change their answer. */
const CACHEABLE =
  /^\/(?:api\/v1\/)?policies\/([^/]+)(?:\/versions(?:\/\d+)?|\/compare|\/diff|\/feed\.atom)?\/?$/;
/**
 * Headers not stored with an answer: hop-by-hop ones, those that belong to one request (its id, the
 * cache's own verdict) and those that depend on the encoding, which a replay sets for the variant it sends.
 */
const NOT_STORED = new Set([
  "content-type",
  "cache-control",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "date",
  "x-request-id",
  "x-cache",
  "content-encoding",
  "vary",
]);
const MEANINGFUL_PARAMS = new Set(["lang", "from", "to", "formatting"]);

export type PublicResponseCacheOptions = {
  /**
   * Changes whenever a published version, a document or the date changes (the runtime's
   * publicStateToken); null when it cannot be known at this moment.
   */
  stateToken: () => string | null;
  /**
   * Most answers kept; the least recently used go first.
   * @default 500
   */
  maxEntries?: number;
  /**
   * Most bytes kept, counting every stored encoding of an answer.
   * @default 64 MiB
   */
  maxBytes?: number;
  /** Told about every cacheable request: answered from the cache (hit) or by the app (miss). */
  onLookup?: (result: "hit" | "miss") => void;
};

export type PublicResponseCache = {
  /**
   * Answers a request from the cache, adding the headers `requestHeaders` gives (request id,
   * shutdown), and says how many body bytes it sent; otherwise marks it for `record` when its answer
   * may be stored, and returns null.
   */
  answer: (req: IncomingMessage, res: ServerResponse, requestHeaders: () => string[]) => Answered | null;
  /** Stores what the app answers to a marked request. After the compression middleware. */
  record: RequestHandler;
};

/** A request the cache answered, and how many body bytes it sent. */
type Answered = { bytes: number };

/** What `answer` leaves for `record` on a request the cache may store the answer to. */
type Pending = { key: string; token: string };

export function publicResponseCache({
  stateToken,
  maxEntries = 500,
  maxBytes = 64 * 1024 * 1024,
  onLookup = () => {},
}: PublicResponseCacheOptions): PublicResponseCache {
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const remove = (key: string) => {
    const entry = entries.get(key);
    if (entry) {
      bytes -= entry.bytes;
      entries.delete(key);
    }
  };
  const evict = () => {
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break;
      remove(oldest);
    }
  };
  const store = (key: string, entry: Entry) => {
    remove(key);
    if (entry.bytes > maxBytes / 4) return;
    entries.set(key, entry);
    bytes += entry.bytes;
    evict();
  };

  const pendingRequests = new WeakMap<IncomingMessage, Pending>();

  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    requestHeaders: () => string[],
  ): Answered | null => {
    const key = cacheKey(req);
    if (key === null) return null;
    let token: string | null;
    try {
      token = stateToken();
    } catch {
      return null;
    }
    // Not known right now (PostgreSQL, between a change and its re-read): render, store nothing.
    if (token === null) return null;
    const hit = entries.get(key);
    if (hit && hit.token === token) {
      entries.delete(key);
      entries.set(key, hit);
      onLookup("hit");
      return { bytes: replay(req, res, hit, requestHeaders()) };
    }
    if (hit) remove(key);
    onLookup("miss");
    res.setHeader("X-Cache", "miss");
    pendingRequests.set(req, { key, token });
    return null;
  };

  const record: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const pending = pendingRequests.get(req);
    if (pending) {
      capture(res, (headers, body) => {
        // Another miss in the same burst stored this answer already (and is compressing it).
        if (entries.get(pending.key)?.token === pending.token) return;
        const entry: Entry = {
          token: pending.token,
          etag: headers.get("etag")!,
          headers: [...headers].filter(([name]) => !NOT_STORED.has(name)).flat(),
          contentType: headers.get("content-type"),
          cacheControl: headers.get("cache-control")!,
          variants: { identity: body },
          encodings: [],
          bytes: body.length,
        };
        // Stored at once (the next request is a hit), sent as it is until its compressed variants,
        // made once in zlib's thread pool, are added a few milliseconds later.
        store(pending.key, entry);
        encodeVariants(body)
          .then((variants) => {
            if (entries.get(pending.key) !== entry) return;
            entry.variants = variants;
            entry.encodings = (["br", "gzip"] as const).filter((coding) => variants[coding] !== undefined);
            const added = (variants.br?.length ?? 0) + (variants.gzip?.length ?? 0);
            entry.bytes += added;
            bytes += added;
            if (entry.bytes > maxBytes / 4) remove(pending.key);
            else evict();
          })
          .catch(() => {
            // Kept uncompressed.
          });
      });
    }
    next();
  };

  return { answer, record };
}

/** The cache key, or null when this request must not be answered from (or stored in) the cache. */
function cacheKey(req: IncomingMessage): string | null {
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  if (req.headers.cookie || req.headers.authorization) return null;
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  const slug = CACHEABLE.exec(path)?.[1];
  if (slug === undefined || !isSlug(slug)) return null;
  if (query === -1) return `${path}?`;
  // Parameters the pages ignore (utm_source …) would only fill the cache with copies.
  const meaningful = [...new URLSearchParams(url.slice(query + 1))].filter(([name]) =>
    MEANINGFUL_PARAMS.has(name),
  );
  if (meaningful.some(([, value]) => value.length > 64)) return null;
  meaningful.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${path}?${new URLSearchParams(meaningful)}`;
}

/**
 * Sends a stored answer in the encoding the client prefers among those stored: one writeHead with
 * every header, no per-header bookkeeping (a hit is a few dozen microseconds; it shows).
 */
/** Returns the number of body bytes sent. */
function replay(req: IncomingMessage, res: ServerResponse, entry: Entry, requestHeaders: string[]): number {
  const headers = [
    ...entry.headers,
    ...requestHeaders,
    "X-Cache",
    "hit",
    "Vary",
    "Accept-Encoding",
    "Cache-Control",
    // A current-version answer: its lifetime is counted from now and never passes midnight.
    entry.cacheControl === IMMUTABLE_CACHE_CONTROL ? entry.cacheControl : currentCacheControl(new Date()),
  ];
  // The tag is weak (app/core/public/http-cache.ts): it names every encoding of this answer.
  if (ifNoneMatchMatches(req.headers["if-none-match"] ?? null, entry.etag)) {
    res.writeHead(304, headers);
    res.end();
    return 0;
  }
  const coding = preferredEncoding(req.headers["accept-encoding"], entry.encodings);
  const body = (coding !== "identity" && entry.variants[coding]) || entry.variants.identity;
  if (entry.contentType) headers.push("Content-Type", entry.contentType);
  if (body !== entry.variants.identity) headers.push("Content-Encoding", coding);
  headers.push("Content-Length", String(body.length));
  res.writeHead(200, headers);
  if (req.method === "HEAD") {
    res.end();
    return 0;
  }
  res.end(body);
  return body.length;
}

/** Tees what the app writes into `res`; calls `done` at the end if the answer may be shared. */
function capture(res: Response, done: (headers: Headers, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  const collect = (chunk: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === "function") return;
    chunks.push(
      Buffer.isBuffer(chunk)
        ? chunk
        : typeof chunk === "string"
          ? Buffer.from(chunk)
          : Buffer.from(chunk as Uint8Array),
    );
  };
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    collect(chunk);
    return write(chunk, ...rest);
  }) as Response["write"];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    collect(chunk);
    const result = end(chunk, ...rest);
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.getHeaders())) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : String(value));
    }
    if (shareable(res.statusCode, headers) && res.req.method === "GET") done(headers, Buffer.concat(chunks));
    return result;
  }) as Response["end"];
}

function shareable(status: number, headers: Headers): boolean {
  const cacheControl = headers.get("cache-control") ?? "";
  return (
    status === 200 &&
    headers.has("etag") &&
    /\bpublic\b/.test(cacheControl) &&
    !/no-store|private/.test(cacheControl) &&
    !headers.has("set-cookie") &&
    // The compression middleware's Vary is the one the stored variants honour.
    (headers.get("vary") ?? "accept-encoding").toLowerCase() === "accept-encoding"
  );
}
