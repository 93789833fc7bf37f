import type { LoaderFunctionArgs } from "@remix-run/node";
import { documentFromParams } from "~/auth/params.server";
import { requireUser } from "~/auth/session.server";
import { parsePositiveInteger } from "~/core/identifiers";
import { sameVersionRefusal } from "~/core/public/params";
import { pdfAnswer } from "~/http/pdf.server";
import { workspaceComparisonPdf } from "~/models/pdf.server";
import { getVersion } from "~/models/versions.server";

/** The workspace's redline between two versions (drafts too) as a PDF, for the roles that see the compare page. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  const document = await documentFromParams(params);
  const url = new URL(request.url);
  const from = parsePositiveInteger(url.searchParams.get("from"));
  const to = parsePositiveInteger(url.searchParams.get("to"));
  if (!from || !to) {
    throw new Response("Name two versions to compare: ?from=N&to=M.", { status: 400 });
  }
  if (from === to) throw new Response(sameVersionRefusal(from), { status: 400 });
  const [older, newer] = await Promise.all([
    getVersion({ documentId: document.id, number: from }),
    getVersion({ documentId: document.id, number: to }),
  ]);
  if (!older || !newer) throw new Response("There is no such version.", { status: 404 });
  const page = `/admin/documents/${document.id}/compare?from=${from}&to=${to}`;
  return pdfAnswer(workspaceComparisonPdf(document, older, newer), { cacheControl: "no-store" }, page);
}
