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
