import type { LoaderFunctionArgs } from "@remix-run/node";
import { IMMUTABLE_CACHE_CONTROL } from "~/core/public/http-cache";
import { findLogo } from "~/models/branding.server";

/**
 * An uploaded logo shown on the public pages and in emails (ADR 0026). The address names the
 * image's hash, so it is cached for a year. An SVG opened on its own is a document that could carry
 * script: this policy runs none (no script-src, `sandbox`), loads nothing, and allows only the
 * inline styles SVG files commonly use; an <img> never runs an SVG's script anyway.
 */
const LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

export async function loader({ params }: LoaderFunctionArgs) {
  const match = /^([A-Za-z0-9_-]{43})\.(png|jpg|svg)$/.exec(params.file ?? "");
  const logo = match ? await findLogo(match[1]) : null;
  if (!logo) throw new Response("Not Found", { status: 404 });
  return new Response(new Uint8Array(logo.bytes), {
    headers: {
      "Content-Type": logo.contentType,
      "Content-Length": String(logo.bytes.byteLength),
      "Cache-Control": IMMUTABLE_CACHE_CONTROL,
      "Content-Security-Policy": LOGO_POLICY,
      "Content-Disposition": "inline",
    },
  });
}
