import type { LoaderFunctionArgs } from "@remix-run/node";
import { documentFromParams } from "~/auth/params.server";
import { requireUser } from "~/auth/session.server";
import { parsePositiveInteger } from "~/core/identifiers";
import { pdfAnswer } from "~/http/pdf.server";
import { workspaceVersionPdf } from "~/models/pdf.server";
import { getVersion } from "~/models/versions.server";

/** A version in the workspace (drafts too) as a PDF: whoever may see the version page may download it. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  const document = await documentFromParams(params);
  const number = parsePositiveInteger(params.number);
  const version = number ? await getVersion({ documentId: document.id, number }) : undefined;
  if (!version) throw new Response("There is no such version.", { status: 404 });
  const page = `/admin/documents/${document.id}/versions/${version.number}`;
  return pdfAnswer(workspaceVersionPdf(document, version), { cacheControl: "no-store" }, page);
}
