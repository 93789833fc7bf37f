import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { diffJson } from "~/core/public/api";
import { CORS_HEADERS, cachedResponse } from "~/core/public/responses";
import { isRefusal } from "~/core/refusal";
import { jsonError, preflightOrRefuse } from "~/http/json.server";
import { refusalJson } from "~/http/refusals.server";
import {
  cacheHeaders,
  publicBaseUrl,
  readPolicyRequest,
  resolveComparison,
} from "~/models/public-pages.server";
import { comparePublishedVersions, publicDiff } from "~/models/public-policies.server";

/** GET /api/v1/policies/:slug/diff?from=N&to=M — the structured redline between two published versions. */
export async function loader({ params, request }: LoaderFunctionArgs) {
  // Remix routes OPTIONS to the loader: answer the CORS preflight here.
  if (request.method === "OPTIONS") return preflightOrRefuse(request);
  const found = await readPolicyRequest(params, request);
  if (!found) return jsonError(404, "No published policy at this address.", { headers: CORS_HEADERS });
  const { policy } = found;
  let comparison: ReturnType<typeof resolveComparison>;
  try {
    comparison = resolveComparison(policy, new URL(request.url).searchParams);
  } catch (error) {
    if (isRefusal(error)) return refusalJson(error, CORS_HEADERS);
    throw error;
  }
  const { from, to, between } = comparison;
  let redline: Awaited<ReturnType<typeof comparePublishedVersions>>;
  try {
    redline = await comparePublishedVersions(from, to);
  } catch (error) {
    // A full diff pool answers 503 with Retry-After (ADR 0018).
    if (isRefusal(error)) return refusalJson(error, CORS_HEADERS);
    throw error;
  }
  return cachedResponse(
    request,
    cacheHeaders("immutable", ["api-diff", from.number, to.number, policy]),
    () =>
      JSON.stringify(
        diffJson({
          baseUrl: publicBaseUrl(),
          document: policy.document,
          from,
          to,
          between,
          diff: publicDiff(redline),
        }),
      ),
    { contentType: "application/json; charset=utf-8", headers: CORS_HEADERS },
  );
}

/** POST, PUT, DELETE …: the public API is read-only. */
export async function action({ request }: ActionFunctionArgs) {
  return preflightOrRefuse(request);
}
