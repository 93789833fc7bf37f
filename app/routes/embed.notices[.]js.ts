import { createHash } from "node:crypto";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { ifNoneMatchMatches } from "~/core/public/http-cache";
import { embedScript } from "~/http/embed-script.server";

/** The dashboard banner, bundled from app/embed/notices.ts (which says how a page embeds it). */
let etag: string | undefined;

export async function loader({ request }: LoaderFunctionArgs) {
  const script = embedScript("notices");
  // Weak, like every public tag: the script is sent compressed or not (ADR 15).
  etag ??= `W/"${createHash("sha256").update(script).digest("base64url").slice(0, 16)}"`;
  const headers = {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": "public, max-age=300",
    etag,
    "x-content-type-options": "nosniff",
    "access-control-allow-origin": "*",
  };
  if (ifNoneMatchMatches(request.headers.get("if-none-match"), etag))
    return new Response(null, { status: 304, headers });
  return new Response(script, { status: 200, headers });
}
