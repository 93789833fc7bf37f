/**
 * Security headers for every answer, by kind of page (see docs/decisions/0015-security-headers-and-compression.md):
 *
 * - the workspace (`/admin…`, its pages and their `.data` requests): a nonce-based
 *   Content-Security-Policy for Remix's scripts, `frame-ancestors 'none'`, `Cache-Control: no-store`,
 *   `Referrer-Policy: same-origin`;
 * - everything else (public pages, feed, JSON API, embed scripts, static files): a policy that allows
 *   no script at all — the public pages are plain HTML — and `Referrer-Policy: strict-origin-when-cross-origin`;
 * - both: `X-Content-Type-Options: nosniff`, and HSTS when PUBLIC_BASE_URL is https.
 *
 * Headers are filled in just before the status line is written, so that a route which sets its own
 * (the captured-mail preview's sandbox policy, a CSV export's nosniff) keeps it and nothing is sent
 * twice; only `Cache-Control: no-store` is imposed on every workspace answer. The public response
 * cache stores these headers with each answer it records, so its replays carry them too.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { NextFunction, Request, RequestHandler, Response } from "express";

/** The workspace: its pages, `/admin.data`-style single-fetch requests and resource routes. */
const WORKSPACE = /^\/admin(?:[/.]|$)/;

/**
 * The workspace's policy. Scripts: only those carrying this response's nonce (Remix's inline
 * hand-off and module scripts) and what they load ('strict-dynamic': the entry's imports, route
 * modules discovered later, module preloads). Styles: stylesheets from this origin, never a
 * `<style>` element; style *attributes* stay allowed because Tiptap's tables carry them (column
 * widths, cell alignment) in the stored HTML of every version and in the editor — with img-src and
 * font-src closed they can load nothing. `frame-src 'self'`: the captured-mail preview.
 */
function workspaceContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "frame-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Everything outside the workspace: no script may run (the pages are sent without the client
 * bundle), stylesheets and images from this origin only, forms (the compare page's version picker)
 * only back here. Framing is not restricted: a policy page has nothing to click that changes
 * anything, and a product may show its policy in a frame. The embed scripts and the JSON API are
 * read from other sites by script and fetch, which this policy (a document's policy) does not touch.
 */
const PUBLIC_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
].join("; ");

/** A year; no `includeSubDomains`, since PUBLIC_BASE_URL may be a company's apex domain. */
const STRICT_TRANSPORT_SECURITY = "max-age=31536000";

export type SecurityHeadersOptions = {
  /** PUBLIC_BASE_URL: HSTS is sent only when it is https (browsers ignore it over http anyway). */
  publicBaseUrl: string;
};

/**
 * Sets the headers below on every answer and, for a workspace request, makes its script nonce
 * (`res.locals.cspNonce`, 128 random bits), which the shell passes to Remix as `context.cspNonce`.
 */
export function securityHeaders({ publicBaseUrl }: SecurityHeadersOptions): RequestHandler {
  const https = new URL(publicBaseUrl).protocol === "https:";
  return (req: Request, res: Response, next: NextFunction) => {
    const workspace = WORKSPACE.test(req.path);
    // Nothing outside the workspace may run a script: those answers need no nonce.
    const nonce = workspace ? randomBytes(16).toString("base64") : "";
    if (workspace) res.locals.cspNonce = nonce;
    beforeHeaders(res, () => {
      const missing = (name: string, value: string) => {
        if (!res.hasHeader(name)) res.setHeader(name, value);
      };
      missing("X-Content-Type-Options", "nosniff");
      if (https) missing("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
      if (workspace) {
        missing("Content-Security-Policy", workspaceContentSecurityPolicy(nonce));
        missing("Referrer-Policy", "same-origin");
        missing("Cross-Origin-Opener-Policy", "same-origin");
        // Signed-in pages and their data never belong in a browser's or a proxy's cache.
        res.setHeader("Cache-Control", "no-store");
      } else {
        missing("Content-Security-Policy", PUBLIC_CONTENT_SECURITY_POLICY);
        missing("Referrer-Policy", "strict-origin-when-cross-origin");
      }
    });
    next();
  };
}

/**
 * Runs `listener` once, right before the status line and headers are written (the moment the
 * `on-headers` package hooks), whatever writes them: express, Remix's adapter, compression, the
 * response cache.
 */
function beforeHeaders(res: ServerResponse, listener: () => void): void {
  const writeHead = res.writeHead;
  let fired = false;
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse["writeHead"]>) {
    if (!fired) {
      fired = true;
      listener();
    }
    return writeHead.apply(this, args);
  } as ServerResponse["writeHead"];
}
