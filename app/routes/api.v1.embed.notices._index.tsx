import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, jsonError } from "~/http/json.server";
import { pendingNoticesFor } from "~/models/acknowledgements.server";
import { currentBranding } from "~/models/branding.server";
import { findSubscriber } from "~/models/subscribers.server";
import { bannerNotices } from "~/notify/banner-words.server";
import { preflight, requireUserToken } from "~/notify/notices-api.server";

/**
 * GET /api/v1/embed/notices (user token, CORS for the configured host origins): the pending
 * notices of the person the token names — what /embed/notices.js shows. Someone Redline does not
 * know yet simply has none.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  // Remix hands OPTIONS (CORS preflights) to the loader, not the action.
  if (request.method === "OPTIONS") return preflight(request);
  const { externalId, cors } = await requireUserToken(request);
  const notices = (await pendingNoticesFor(externalId)) ?? [];
  const locale = (await findSubscriber(externalId))?.locale ?? "en";
  const branding = await currentBranding();
  // The organisation the banner speaks for (ADR 0026); null until a branding is saved.
  const organisation =
    branding.revision === 0 ? null : { name: branding.organisationName, accentColour: branding.accentColour };
  return json({ notices: await bannerNotices(notices, locale), organisation }, 200, cors);
}

export async function action({ request }: ActionFunctionArgs) {
  const { cors } = await requireUserToken(request);
  return jsonError(405, `${request.method} is not allowed here: use GET`, { headers: cors });
}
