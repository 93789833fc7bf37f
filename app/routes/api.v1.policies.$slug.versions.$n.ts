import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { versionJson } from "~/core/public/api";
import { CORS_HEADERS, cachedResponse } from "~/core/public/responses";
import { jsonError, preflightOrRefuse } from "~/http/json.server";
import { cacheHeaders, findVersion, publicBaseUrl, readPolicyRequest } from "~/models/public-pages.server";
import { getPublishedBody } from "~/models/public-policies.server";

/** GET /api/v1/policies/:slug/versions/:n — one published version with its body (immutable URL). */
export async function loader({ params, request }: LoaderFunctionArgs) {
  // Remix routes OPTIONS to the loader: answer the CORS preflight here.
  if (request.method === "OPTIONS") return preflightOrRefuse(request);
  const found = await readPolicyRequest(params, request);
  const version = found?.number ? findVersion(found.policy, found.number) : undefined;
  if (!found || !version)
    return jsonError(404, "No published version at this address.", { headers: CORS_HEADERS });
  const { policy } = found;
  const body = await getPublishedBody(version);
  return cachedResponse(
    request,
    cacheHeaders("immutable", ["api-version", version.number, policy]),
    () =>
      JSON.stringify(
        versionJson({
          baseUrl: publicBaseUrl(),
          document: policy.document,
          version,
          body,
          inEffect: false,
          locales: policy.locales.map((l) => l.locale),
          translation: null,
        }),
      ),
    { contentType: "application/json; charset=utf-8", headers: CORS_HEADERS },
  );
}

/** POST, PUT, DELETE …: the public API is read-only. */
export async function action({ request }: ActionFunctionArgs) {
  return preflightOrRefuse(request);
}
