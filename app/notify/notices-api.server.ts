/**
 * Shared by the dashboard-notice routes (ADR 0007): the API-key routes under
 * /api/v1/subscribers/:externalId/notices and the browser routes under /api/v1/embed/notices.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import type { AcknowledgementChannel } from "../../db/tables";
import { parsePositiveInteger } from "../core/identifiers";
import { EXTERNAL_ID_PATTERN } from "../core/notify/subscriber";
import { isRefusal } from "../core/refusal";
import { json, jsonError } from "../http/json.server";
import { refusalJson } from "../http/refusals.server";
import { acknowledgeNotice, erasedRefusal } from "../models/acknowledgements.server";
import { checkUserToken, isAllowedOrigin } from "../models/embed.server";
import { findSubscriber } from "../models/subscribers.server";
import { bearerToken } from "./http.server";

export function externalIdOf(params: LoaderFunctionArgs["params"]): string {
  const externalId = params.externalId ?? "";
  if (!EXTERNAL_ID_PATTERN.test(externalId)) {
    throw jsonError(400, `"${externalId}" is not a valid externalId (1–128 letters, digits or . _ : @ + -)`);
  }
  return externalId;
}

/**
 * The notice id in the path; anything that is not a positive whole number is simply not found.
 * `headers` go on that 404 too (the banner's CORS headers, so it can read the answer).
 */
export function noticeIdOf(
  params: LoaderFunctionArgs["params"],
  headers: Record<string, string> = {},
): number {
  const id = parsePositiveInteger(params.noticeId);
  if (id === null) throw jsonError(404, `no notice "${params.noticeId}"`, { headers });
  return id;
}

/** Records an acknowledgement and answers 201 (new) or 200 (already recorded), or 404. */
export async function acknowledgementResponse(
  input: Parameters<typeof acknowledgeNotice>[0],
  headers: Record<string, string> = {},
): Promise<Response> {
  try {
    const { created, ...ack } = await acknowledgeNotice(input);
    return json({ ...ack, alreadyAcknowledged: !created }, created ? 201 : 200, headers);
  } catch (error) {
    if (isRefusal(error)) return refusalJson(error, headers);
    throw error;
  }
}

/* ------------------------------------------------------------------ browser (user token) */

const CORS_METHODS = "GET, POST, OPTIONS";

/**
 * CORS headers for a browser request from one of the configured host origins. Other origins get
 * none (the browser then refuses to hand the answer to the page).
 */
async function corsHeaders(request: Request): Promise<Record<string, string>> {
  const origin = request.headers.get("origin");
  const headers: Record<string, string> = { vary: "Origin" };
  if (origin && (await isAllowedOrigin(origin))) {
    headers["access-control-allow-origin"] = origin;
    headers["access-control-allow-headers"] = "authorization, content-type";
    headers["access-control-allow-methods"] = CORS_METHODS;
    headers["access-control-max-age"] = "600";
  }
  return headers;
}

/** The answer to a CORS preflight. */
export async function preflight(request: Request): Promise<Response> {
  const headers = await corsHeaders(request);
  const allowed = "access-control-allow-origin" in headers;
  return new Response(null, { status: allowed ? 204 : 403, headers });
}

/**
 * The subscriber a browser request speaks for, from its user token. Throws a 401 (expired, forged,
 * malformed or missing token) or a 403 (a page origin that is not configured, or an erased
 * subscriber), with CORS headers so the banner can see the status and stay silent.
 */
export async function requireUserToken(
  request: Request,
): Promise<{ externalId: string; cors: Record<string, string> }> {
  const cors = await corsHeaders(request);
  const origin = request.headers.get("origin");
  if (origin && !("access-control-allow-origin" in cors)) {
    throw jsonError(403, `the origin ${origin} is not allowed to show Redline notices`, { headers: cors });
  }
  const token = bearerToken(request);
  const check = token ? await checkUserToken(token) : ({ ok: false, reason: "malformed" } as const);
  if (!check.ok) {
    const reason =
      check.reason === "expired"
        ? "the user token has expired"
        : check.reason === "too-long-lived"
          ? "the user token's expiry is more than an hour away"
          : "a valid user token is required: Authorization: Bearer <token>";
    throw jsonError(401, reason, {
      headers: { ...cors, "www-authenticate": 'Bearer error="invalid_token"' },
    });
  }
  const externalId = check.claims.sub;
  // A token minted before (or despite) an erasure speaks for nobody any more.
  if ((await findSubscriber(externalId))?.status === "erased") {
    throw jsonError(403, erasedRefusal(externalId).message, { headers: cors });
  }
  return { externalId, cors };
}

export const BROWSER_ACK_CHANNEL: AcknowledgementChannel = "dashboard";
