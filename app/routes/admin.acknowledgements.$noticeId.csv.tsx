import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/session.server";
import { parsePositiveInteger } from "~/core/identifiers";
import { ackFilterOf, noticeAcknowledgementOverview } from "~/models/acknowledgements.server";
import { acknowledgementCsv } from "~/notify/acknowledgement-csv.server";

/**
 * GET /admin/acknowledgements/:noticeId/csv[?filter=acknowledged|pending]: who has and has not
 * acknowledged, as CSV (streamed; cells that a spreadsheet would run as a formula are neutralised).
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  // A malformed id names no notice, like an id that does not exist.
  const noticeId = parsePositiveInteger(params.noticeId);
  const overview = noticeId === null ? null : await noticeAcknowledgementOverview(noticeId);
  if (!overview) throw new Response("No such notice.", { status: 404 });
  const filter = ackFilterOf(new URL(request.url).searchParams.get("filter"));
  const name = `acknowledgements-notice-${overview.noticeId}-${overview.slug}-v${overview.version}${filter === "all" ? "" : `-${filter}`}.csv`;
  return new Response(acknowledgementCsv({ noticeId: overview.noticeId, filter }), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
