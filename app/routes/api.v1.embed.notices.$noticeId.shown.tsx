import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { isRefusal } from "~/core/refusal";
import { json, jsonError } from "~/http/json.server";
import { refusalJson } from "~/http/refusals.server";
import { recordNoticeShown } from "~/models/notice-views.server";
import { noticeIdOf, preflight, requireUserToken } from "~/notify/notices-api.server";

/**
 * POST /api/v1/embed/notices/:noticeId/shown (user token): the banner showed this notice. The
 * first time is recorded (201), later ones answer it (200); it acknowledges nothing. No body.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const { externalId, cors } = await requireUserToken(request);
  if (request.method !== "POST") {
    return jsonError(405, `${request.method} is not allowed here: use POST`, { headers: cors });
  }
  const noticeId = noticeIdOf(params, cors);
  try {
    const { created, firstShownAt } = await recordNoticeShown({ externalId, noticeId });
    return json({ noticeId, firstShownAt }, created ? 201 : 200, cors);
  } catch (error) {
    if (isRefusal(error)) return refusalJson(error, cors);
    throw error;
  }
}

export async function loader({ request }: LoaderFunctionArgs) {
  // Remix hands OPTIONS (CORS preflights) to the loader, not the action.
  if (request.method === "OPTIONS") return preflight(request);
  const { cors } = await requireUserToken(request);
  return jsonError(405, "GET is not allowed here: use POST", { headers: cors });
}
