import type { LoaderFunctionArgs } from "@remix-run/node";
import { sentence } from "~/auth/errors.server";
import { requireUser } from "~/auth/session.server";
import { parseAudience } from "~/core/notify/audience";
import { isRefusal } from "~/core/refusal";
import { countAudience } from "~/models/subscribers.server";

/** As long as the publish form lets the audience field be. */
const MAX_AUDIENCE_TEXT = 10_000;

/**
 * GET /admin/audiences/count?audience=<JSON>: how many active subscribers an audience reaches, for
 * the publish form's live count. The audience is checked by parseAudience, the one rule the publish
 * action and the CLI apply; an empty one is everyone. Answers `{ count }`, or `{ error }` for text
 * that is not an audience (200 as well: the builder asks while someone is still typing, and a half-typed
 * audience is an answer to show, not a failed request).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  const text = new URL(request.url).searchParams.get("audience") ?? "";
  const headers = { "cache-control": "no-store" };
  if (text.length > MAX_AUDIENCE_TEXT) {
    return Response.json({ error: "The audience is too long." }, { headers });
  }
  try {
    const audience = text.trim() ? parseAudience(text) : null;
    return Response.json({ count: await countAudience(audience) }, { headers });
  } catch (error) {
    if (isRefusal(error)) return Response.json({ error: sentence(error.message) }, { headers });
    throw error;
  }
}
