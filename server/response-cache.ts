/**
 * A shared-cache in front of the Remix handler for the public policy pages and JSON API, the way a
 * CDN would sit in front of them. It stores a copy of each cacheable answer the app renders and
 * replays it while the public state (publicStateToken: published versions, documents, today's date)
 * is unchanged, so a popular page is rendered once, not once per visit. It follows shared-cache rules:
 * only GET/HEAD without cookies or credentials, only 200 answers marked `public` with an ETag and no
 * Set-Cookie or Vary. Answers say `X-Cache: hit` or `miss`. See docs/decisions/0005-public-site-caching.md.
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { isSlug } from "../app/core/identifiers";
import {
  currentCacheControl,
  IMMUTABLE_CACHE_CONTROL,
  ifNoneMatchMatches,
} from "../app/core/public/http-cache";

type Entry = { token: string; etag: string; headers: [string, string][]; body: Buffer };

/** Which URLs are considered (the slug by the one slug rule), and the query parameters that can change their answer. */
const CACHEABLE =
  /^\/(?:api\/v1\/)?policies\/([^/]+)(?:\/versions(?:\/\d+)?|\/compare|\/diff|\/feed\.atom)?\/?$/;
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "date"]);
const MEANINGFUL_PARAMS = new Set(["lang", "from", "to", "formatting"]);

export type PublicResponseCacheOptions = {
  /** Changes whenever a published version, a document or the date changes (the runtime's publicStateToken). */
  stateToken: () => string;
  /**
   * Most answers kept; the least recently used go first.
   * @default 500
   */
  maxEntries?: number;
  /**
   * Most bytes of bodies kept.
   * @default 64 MiB
   */
  maxBytes?: number;
  /** Told about every cacheable request: answered from the cache (hit) or by the app (miss). */
  onLookup?: (result: "hit" | "miss") => void;
};

export function publicResponseCache({
  stateToken,
  maxEntries = 500,
  maxBytes = 64 * 1024 * 1024,
  onLookup = () => {},
}: PublicResponseCacheOptions): RequestHandler {
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const remove = (key: string) => {
    const entry = entries.get(key);
    if (entry) {
      bytes -= entry.body.length;
      entries.delete(key);
    }
  };
  const store = (key: string, entry: Entry) => {
    remove(key);
    if (entry.body.length > maxBytes / 4) return;
    entries.set(key, entry);
    bytes += entry.body.length;
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break;
      remove(oldest);
    }
  };

  return (req: Request, res: Response, next: NextFunction) => {
    const key = cacheKey(req);
    if (key === null) return next();
    let token: string;
    try {
      token = stateToken();
    } catch {
      return next();
    }
    const hit = entries.get(key);
    if (hit && hit.token === token) {
      entries.delete(key);
      entries.set(key, hit);
      onLookup("hit");
      replay(req, res, hit);
      return;
    }
    if (hit) remove(key);
    onLookup("miss");
    res.setHeader("X-Cache", "miss");
    capture(res, (headers, body) =>
      store(key, { token, etag: headers.get("etag")!, headers: [...headers], body }),
    );
    next();
  };
}

/** The cache key, or null when this request must not be answered from (or stored in) the cache. */
function cacheKey(req: Request): string | null {
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  if (req.headers.cookie || req.headers.authorization) return null;
  const slug = CACHEABLE.exec(req.path)?.[1];
  if (slug === undefined || !isSlug(slug)) return null;
  const url = new URL(req.originalUrl, "http://cache.invalid");
  // Parameters the pages ignore (utm_source …) would only fill the cache with copies.
  const meaningful = [...url.searchParams].filter(([name]) => MEANINGFUL_PARAMS.has(name));
  if (meaningful.some(([, value]) => value.length > 64)) return null;
  meaningful.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${url.pathname}?${new URLSearchParams(meaningful)}`;
}

function replay(req: Request, res: Response, entry: Entry): void {
  for (const [name, value] of entry.headers) res.setHeader(name, value);
  res.setHeader("X-Cache", "hit");
  const cacheControl = res.getHeader("cache-control");
  if (cacheControl !== IMMUTABLE_CACHE_CONTROL) {
    // A current-version answer: its lifetime is counted from now and never passes midnight.
    res.setHeader("Cache-Control", currentCacheControl(new Date()));
  }
  if (ifNoneMatchMatches(req.headers["if-none-match"] ?? null, entry.etag)) {
    res.removeHeader("content-type");
    res.removeHeader("content-length");
    res.status(304).end();
    return;
  }
  res.setHeader("Content-Length", entry.body.length);
  res.status(200);
  if (req.method === "HEAD") res.end();
  else res.end(entry.body);
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
      if (value !== undefined && !HOP_BY_HOP.has(name))
        headers.set(name, Array.isArray(value) ? value.join(", ") : String(value));
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
    !headers.has("vary")
  );
}
