import { createHash } from "node:crypto";
import { stableStringify } from "../stable-json";

/** A URL that names a version: its content can never change (published versions are immutable). */
export const IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable";

/**
 * How long a browser or CDN may reuse a current-version response without asking again.
 * @default 60
 */
const CURRENT_MAX_AGE_SECONDS = 60;

/**
 * Cache-Control for a URL whose answer changes when a version is published or takes effect: a short
 * lifetime that never reaches past the next UTC midnight, when an effective date may pass.
 */
export function currentCacheControl(now: Date, maxAge = CURRENT_MAX_AGE_SECONDS): string {
  const nextMidnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const untilMidnight = Math.max(0, Math.floor((nextMidnight - now.getTime()) / 1000));
  return `public, max-age=${Math.min(maxAge, untilMidnight)}`;
}

/**
 * A weak ETag over everything an answer depends on (key-sorted JSON, so the order of object keys
 * does not matter). Weak because the server sends the same answer as brotli, gzip or as it is,
 * chosen by Accept-Encoding: the bytes differ, the content does not, and one tag names them all, so
 * a 304 never depends on the encoding (the convention nginx follows when it compresses; ADR 15).
 * @example etagOf(["page", "build-1", { version: 3 }]) // "W/\"4f0c…\""
 */
export function etagOf(facts: unknown): string {
  return `W/"${createHash("sha1").update(stableStringify(facts)).digest("base64url")}"`;
}

/**
 * Whether an If-None-Match header matches `etag` (RFC 9110 §13.1.2: weak comparison, `*` matches
 * anything, a list of tags is comma separated).
 */
export function ifNoneMatchMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.length > 8192) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  const wanted = opaque(etag);
  return header.split(",").some((candidate) => candidate.trim() === "*" || opaque(candidate) === wanted);
}

/** Whether a request may be answered with 304 for a representation tagged `etag`. */
export function isNotModified(request: Request, etag: string): boolean {
  return (
    (request.method === "GET" || request.method === "HEAD") &&
    ifNoneMatchMatches(request.headers.get("If-None-Match"), etag)
  );
}
