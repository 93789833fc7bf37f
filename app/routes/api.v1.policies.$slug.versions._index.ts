import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { archiveJson } from "~/core/public/api";
import { CORS_HEADERS, cachedResponse } from "~/core/public/responses";
import { jsonError, preflightOrRefuse } from "~/http/json.server";
import { cacheHeaders, publicBaseUrl, readPolicyRequest } from "~/models/public-pages.server";

/** GET /api/v1/policies/:slug/versions — every published version, newest first, without bodies. */
export async function loader({ params, request }: LoaderFunctionArgs) {
  // Remix routes OPTIONS to the loader: answer the CORS preflight here.
  if (request.method === "OPTIONS") return preflightOrRefuse(request);
  const now = new Date();
  const found = await readPolicyRequest(params, request, now);
  if (!found) return jsonError(404, "No published policy at this address.", { headers: CORS_HEADERS });
  const { policy } = found;
  return cachedResponse(
    request,
    cacheHeaders("current", ["api-archive", policy], now),
    () => JSON.stringify(archiveJson(publicBaseUrl(), policy.document, policy.versions)),
    { contentType: "application/json; charset=utf-8", headers: CORS_HEADERS },
  );
}

/** POST, PUT, DELETE …: the public API is read-only. */
export async function action({ request }: ActionFunctionArgs) {
  return preflightOrRefuse(request);
}
