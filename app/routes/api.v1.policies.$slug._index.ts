import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { versionJson } from "~/core/public/api";
import { CORS_HEADERS, cachedResponse } from "~/core/public/responses";
import { jsonError, preflightOrRefuse } from "~/http/json.server";
import { cacheHeaders, publicBaseUrl, readPolicyRequest } from "~/models/public-pages.server";
import { getPublishedBody } from "~/models/public-policies.server";

/** GET /api/v1/policies/:slug — the version in effect, with the next one announced. */
export async function loader({ params, request }: LoaderFunctionArgs) {
  // Remix routes OPTIONS to the loader: answer the CORS preflight here.
  if (request.method === "OPTIONS") return preflightOrRefuse(request);
  const now = new Date();
  const found = await readPolicyRequest(params, request, now);
  const current = found?.policy.current;
  if (!found || !current)
    return jsonError(404, "No policy in effect at this address.", { headers: CORS_HEADERS });
  const { policy } = found;
  const body = await getPublishedBody(current);
  return cachedResponse(
    request,
    cacheHeaders("current", ["api", policy], now),
    () =>
      JSON.stringify(
        versionJson({
          baseUrl: publicBaseUrl(),
          document: policy.document,
          version: current,
          body,
          inEffect: true,
          upcoming: policy.upcoming,
          locales: policy.locales.map((l) => l.locale),
          translation: policy.translation,
        }),
      ),
    { contentType: "application/json; charset=utf-8", headers: CORS_HEADERS },
  );
}

/** POST, PUT, DELETE …: the public API is read-only. */
export async function action({ request }: ActionFunctionArgs) {
  return preflightOrRefuse(request);
}
