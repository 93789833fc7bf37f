import type { LoaderFunctionArgs } from "@remix-run/node";
import { policyPath } from "~/core/public/urls";
import { isRefusal } from "~/core/refusal";
import { notModified, pdfAnswer } from "~/http/pdf.server";
import { refusalText } from "~/http/refusals.server";
import { publicComparisonPdf } from "~/models/pdf.server";
import { cacheHeaders, readPolicyRequest, resolveComparison } from "~/models/public-pages.server";

/** The redline between two published versions as a PDF: the same ?from=&to=&lang= as the compare page. */
export async function loader({ params, request }: LoaderFunctionArgs) {
  const found = await readPolicyRequest(params, request);
  if (!found) throw new Response("Not Found", { status: 404 });
  const { policy } = found;
  let comparison: ReturnType<typeof resolveComparison>;
  try {
    comparison = resolveComparison(policy, new URL(request.url).searchParams);
  } catch (error) {
    if (isRefusal(error)) throw refusalText(error);
    throw error;
  }
  const { from, to, between } = comparison;
  const caching = cacheHeaders("immutable", ["compare-pdf", from.number, to.number, policy]);
  const { slug, locale } = policy.document;
  const page = policyPath(slug, locale, "/compare", { from: from.number, to: to.number });
  return (
    notModified(request, caching) ?? pdfAnswer(publicComparisonPdf(policy, from, to, between), caching, page)
  );
}
