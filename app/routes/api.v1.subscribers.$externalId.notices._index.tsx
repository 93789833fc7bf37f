import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, jsonError } from "~/http/json.server";
import { refusalJson } from "~/http/refusals.server";
import { erasedRefusal, pendingNoticesFor } from "~/models/acknowledgements.server";
import { findSubscriber } from "~/models/subscribers.server";
import { requireApiKey } from "~/notify/http.server";
import { externalIdOf } from "~/notify/notices-api.server";

/**
 * GET /api/v1/subscribers/:externalId/notices (API key): the subscriber's pending dashboard
 * notices, for the product's backend to show in its own dashboard. 409 for an erased subscriber.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireApiKey(request);
  const externalId = externalIdOf(params);
  if ((await findSubscriber(externalId))?.status === "erased") return refusalJson(erasedRefusal(externalId));
  const notices = await pendingNoticesFor(externalId);
  if (!notices) return jsonError(404, `no subscriber "${externalId}"`);
  return json({ externalId, notices });
}

export async function action({ request }: ActionFunctionArgs) {
  await requireApiKey(request);
  return jsonError(405, `${request.method} is not allowed here: use GET`);
}
