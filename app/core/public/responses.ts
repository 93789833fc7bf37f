import { isNotModified } from "./http-cache";

/** Cross-origin access for the public JSON API and the embed script: GET from any origin, no credentials. */
export const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "ETag",
} as const;

export type Cacheable = { etag: string; cacheControl: string };

/**
 * A cacheable response: 304 without a body when the request's If-None-Match matches, else the body
 * with its ETag and Cache-Control.
 */
export function cachedResponse(
  request: Request,
  { etag, cacheControl }: Cacheable,
  body: () => string,
  init: { contentType: string; headers?: Record<string, string> },
): Response {
  const headers = new Headers({ ETag: etag, "Cache-Control": cacheControl, ...init.headers });
  if (isNotModified(request, etag)) return new Response(null, { status: 304, headers });
  headers.set("Content-Type", init.contentType);
  return new Response(request.method === "HEAD" ? null : body(), { status: 200, headers });
}

/** A JSON error of the public API: `{ "error": "…" }`, never cached for long. */
export function jsonError(status: number, error: string): Response {
  return new Response(JSON.stringify({ error }), {
    status,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      ...CORS_HEADERS,
    },
  });
}

/** The answer to a CORS preflight (OPTIONS) and to other methods than GET/HEAD. */
export function preflightOrRefuse(request: Request): Response {
  if (request.method === "OPTIONS") {
    return new Response(null, {
      status: 204,
      headers: {
        ...CORS_HEADERS,
        "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
        "Access-Control-Allow-Headers": "If-None-Match, Content-Type",
        "Access-Control-Max-Age": "86400",
        Allow: "GET, HEAD, OPTIONS",
      },
    });
  }
  const refused = jsonError(405, `${request.method} is not allowed here; use GET`);
  refused.headers.set("Allow", "GET, HEAD, OPTIONS");
  return refused;
}
