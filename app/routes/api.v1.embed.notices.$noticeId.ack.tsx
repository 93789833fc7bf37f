import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { BODY_LIMITS, BodyError, readJsonBody } from "~/http/body.server";
import { jsonError } from "~/http/json.server";
import {
  acknowledgementResponse,
  BROWSER_ACK_CHANNEL,
  noticeIdOf,
  preflight,
  requireUserToken,
} from "~/notify/notices-api.server";

const NoBody = z.strictObject({});

/**
 * POST /api/v1/embed/notices/:noticeId/ack (user token): "I acknowledge" or "Dismiss" in the banner. Recorded with the
 * channel `dashboard`; idempotent; 404 for a notice not addressed to the token's subscriber.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const { externalId, cors } = await requireUserToken(request);
  if (request.method !== "POST") {
    return jsonError(405, `${request.method} is not allowed here: use POST`, { headers: cors });
  }
  const noticeId = noticeIdOf(params, cors);
  // The banner sends no body; an empty JSON object is accepted too, anything else is refused.
  try {
    const body = await readJsonBody(request, BODY_LIMITS.acknowledgement, { optional: true });
    if (body !== undefined && !NoBody.safeParse(body).success) {
      return jsonError(400, "this request takes no body (or an empty JSON object)", { headers: cors });
    }
  } catch (error) {
    if (error instanceof BodyError) return jsonError(error.status, error.message, { headers: cors });
    throw error;
  }
  return acknowledgementResponse(
    { externalId, noticeId, channel: BROWSER_ACK_CHANNEL, via: "user-token" },
    cors,
  );
}

export async function loader({ request }: LoaderFunctionArgs) {
  // Remix hands OPTIONS (CORS preflights) to the loader, not the action.
  if (request.method === "OPTIONS") return preflight(request);
  const { cors } = await requireUserToken(request);
  return jsonError(405, "GET is not allowed here: use POST", { headers: cors });
}
