import type { LoaderFunctionArgs } from "@remix-run/node";
import { policyPath } from "~/core/public/urls";
import { notModified, pdfAnswer } from "~/http/pdf.server";
import { publicVersionPdf } from "~/models/pdf.server";
import { cacheHeaders, findVersion, readPolicyRequest } from "~/models/public-pages.server";

/** One published version as a PDF download: the same version, language and caching as its page. */
export async function loader({ params, request }: LoaderFunctionArgs) {
  const found = await readPolicyRequest(params, request);
  const version = found?.number ? findVersion(found.policy, found.number) : undefined;
  if (!found || !version) throw new Response("Not Found", { status: 404 });
  const { policy } = found;
  const caching = cacheHeaders("immutable", ["version-pdf", version.number, policy]);
  const page = policyPath(policy.document.slug, policy.document.locale, `/versions/${version.number}`);
  return notModified(request, caching) ?? pdfAnswer(publicVersionPdf(policy, version), caching, page);
}
