/**
 * JSON answers of every API: the product's backend, the browser banner, the webhooks and the
 * public policy API. An error is always `{ error, details? }` with a 4xx/5xx status, never cached.
 */
import type { z } from "zod";
import { CORS_HEADERS } from "../core/public/responses";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

/**
 * A refusal as JSON: the message a client can show, and facts it may act on (e.g. which fields
 * were wrong). `headers` carries what a caller adds to every answer it gives, such as CORS.
 */
export function jsonError(
  status: number,
  error: string,
  { details, headers }: { details?: unknown; headers?: Record<string, string> } = {},
): Response {
  return json(details === undefined ? { error } : { error, details }, status, headers);
}

/** A rejected body's problems as `details`: which field, and what is wrong with it. */
export function fieldProblems(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((issue) => ({ field: issue.path.join(".") || "body", message: issue.message }));
}

/**
 * The public policy API's answer to a CORS preflight (OPTIONS), and its refusal of other methods
 * than GET/HEAD: it is read-only and open to any origin.
 */
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
  return jsonError(405, `${request.method} is not allowed here; use GET`, {
    headers: { ...CORS_HEADERS, Allow: "GET, HEAD, OPTIONS" },
  });
}
