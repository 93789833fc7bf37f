import { data } from "@remix-run/node";
import { isNotModified } from "../core/public/http-cache";

/**
 * For a page loader: `data` with ETag and Cache-Control, or a bodyless 304 when the browser already
 * has this representation (Remix skips rendering for a 304 status).
 */
export async function cachedPage<T>(
  request: Request,
  cache: { etag: string; cacheControl: string },
  build: () => T | Promise<T>,
) {
  const headers = { ETag: cache.etag, "Cache-Control": cache.cacheControl };
  if (isNotModified(request, cache.etag)) {
    // Never rendered: Remix answers a 304 without calling the component.
    return data(null as unknown as T, { status: 304, headers });
  }
  return data(await build(), { headers });
}
