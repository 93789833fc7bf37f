import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { PublicPolicyView } from "~/components/public-policy-view";
import { organisationTitle, PublicShell } from "~/components/public-shell";
import { PublicSubscribeForm } from "~/components/public-subscribe-form";
import { auditHeadMeta } from "~/core/public/audit-head";
import { policyPath } from "~/core/public/urls";
import { cachedPage } from "~/http/page-cache.server";
import { cacheHeaders, readPolicyRequest, versionPageView } from "~/models/public-pages.server";
import type { RouteHandle } from "~/root";
import publicStyles from "~/styles/public.css";

export const handle: RouteHandle = { hydrate: false };
export const links: LinksFunction = () => [{ rel: "stylesheet", href: publicStyles }];
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export async function loader({ params, request }: LoaderFunctionArgs) {
  const now = new Date();
  const found = await readPolicyRequest(params, request, now);
  const current = found?.policy.current;
  if (!found || !current) throw new Response("Not Found", { status: 404 });
  const { policy } = found;
  return cachedPage(request, cacheHeaders("current", ["policy", policy], now), () =>
    versionPageView(policy, current),
  );
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  data
    ? [
        { title: organisationTitle(data.title, matches) },
        { name: "description", content: `${data.title}, last updated ${data.version.lastUpdated}` },
        ...auditHeadMeta(data.version),
        {
          tagName: "link",
          rel: "alternate",
          type: "application/atom+xml",
          title: `${data.title}: new versions`,
          href: policyPath(data.slug, data.locale, "/feed.atom"),
        },
      ]
    : [];

export default function PolicyPage() {
  const view = useLoaderData<typeof loader>();
  return (
    <PublicShell locale={view.locale} locales={view.locales} footerLinks={view.footerLinks}>
      <PublicPolicyView view={view} mode="current" />
      <PublicSubscribeForm slug={view.slug} locale={view.locale} title={view.title} />
    </PublicShell>
  );
}
