import type { LoaderFunctionArgs } from "@remix-run/node";
import { etagOf } from "~/core/public/http-cache";
import { cachedResponse } from "~/core/public/responses";
import { embedScript } from "~/http/embed-script.server";

/** The embeddable policy, bundled from app/embed/policy.ts (which says how a page embeds it). */
let etag: string | undefined;

/** GET /embed/policy.js — the script, cached for an hour (its URL does not change between releases). */
export async function loader({ request }: LoaderFunctionArgs) {
  const script = embedScript("policy");
  etag ??= etagOf(["embed", script]);
  return cachedResponse(request, { etag, cacheControl: "public, max-age=3600" }, () => script, {
    contentType: "text/javascript; charset=utf-8",
    headers: { "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff" },
  });
}
