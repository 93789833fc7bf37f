import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { PublicPolicyView } from "~/components/public-policy-view";
import { organisationTitle, PublicShell } from "~/components/public-shell";
import { auditHeadMeta } from "~/core/public/audit-head";
import { cachedPage } from "~/http/page-cache.server";
import { cacheHeaders, findVersion, readPolicyRequest, versionPageView } from "~/models/public-pages.server";
import type { RouteHandle } from "~/root";
import publicStyles from "~/styles/public.css";

export const handle: RouteHandle = { hydrate: false };
export const links: LinksFunction = () => [{ rel: "stylesheet", href: publicStyles }];
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export async function loader({ params, request }: LoaderFunctionArgs) {
  const found = await readPolicyRequest(params, request);
  const version = found?.number ? findVersion(found.policy, found.number) : undefined;
  if (!found || !version) throw new Response("Not Found", { status: 404 });
  return cachedPage(request, cacheHeaders("immutable", ["version", version.number, found.policy]), () =>
    versionPageView(found.policy, version),
  );
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  data
    ? [
        { title: organisationTitle(`${data.title} — version ${data.version.number}`, matches) },
        {
          name: "description",
          content: `${data.title}, version ${data.version.number}, last updated ${data.version.lastUpdated}`,
        },
        ...auditHeadMeta(data.version),
        ...(data.version.status === "current" ? [] : [{ name: "robots", content: "noindex" }]),
      ]
    : [];

export default function VersionPage() {
  const view = useLoaderData<typeof loader>();
  return (
    <PublicShell locale={view.locale} locales={view.locales} footerLinks={view.footerLinks}>
      <PublicPolicyView view={view} mode="version" />
    </PublicShell>
  );
}
