import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { organisationTitle, PublicShell } from "~/components/public-shell";
import { DateText, MaterialBadge, StatusBadge } from "~/components/public-version";
import { summaryText } from "~/core/history/types";
import { policyPath } from "~/core/public/urls";
import { cachedPage } from "~/http/page-cache.server";
import {
  cacheHeaders,
  localeLinks,
  policyLinks,
  readPolicyRequest,
  versionFacts,
} from "~/models/public-pages.server";
import type { RouteHandle } from "~/root";
import publicStyles from "~/styles/public.css";

export const handle: RouteHandle = { hydrate: false };
export const links: LinksFunction = () => [{ rel: "stylesheet", href: publicStyles }];
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export async function loader({ params, request }: LoaderFunctionArgs) {
  const now = new Date();
  const found = await readPolicyRequest(params, request, now);
  if (!found) throw new Response("Not Found", { status: 404 });
  const { policy } = found;
  return cachedPage(request, cacheHeaders("current", ["archive", policy], now), () => ({
    slug: policy.document.slug,
    locale: policy.document.locale,
    title: policy.document.title,
    versions: policy.versions.map(versionFacts),
    locales: localeLinks(policy, "/versions"),
    footerLinks: policyLinks(policy),
  }));
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  data
    ? [
        { title: organisationTitle(`${data.title}: all versions`, matches) },
        {
          tagName: "link",
          rel: "alternate",
          type: "application/atom+xml",
          title: `${data.title}: new versions`,
          href: policyPath(data.slug, data.locale, "/feed.atom"),
        },
      ]
    : [];

export default function ArchivePage() {
  const { slug, locale, title, versions, locales, footerLinks } = useLoaderData<typeof loader>();
  return (
    <PublicShell locale={locale} locales={locales} footerLinks={footerLinks}>
      <header className="policy-header">
        <p className="eyebrow">
          <a href={policyPath(slug, locale)}>{title}</a>
        </p>
        <h1>All versions</h1>
        <p className="meta">
          Every published version of the {title}, newest first. Published versions are never changed.
        </p>
      </header>
      <ol className="archive">
        {versions.map((version, index) => {
          const previous = versions[index + 1];
          return (
            <li key={version.number} className="archive-entry">
              <article aria-labelledby={`version-${version.number}`}>
                <h2 id={`version-${version.number}`}>
                  <a href={policyPath(slug, locale, `/versions/${version.number}`)}>
                    Version {version.number}
                  </a>{" "}
                  <StatusBadge status={version.status} />{" "}
                  <MaterialBadge material={version.material} imported={version.imported} />
                </h2>
                <dl className="archive-dates">
                  <div>
                    <dt>Last updated</dt>
                    <dd>
                      <DateText date={version.lastUpdated} />
                    </dd>
                  </div>
                  <div>
                    <dt>{version.status === "upcoming" ? "Takes effect" : "Effective"}</dt>
                    <dd>
                      <DateText date={version.effectiveAt} />
                    </dd>
                  </div>
                </dl>
                {version.summary || version.imported ? (
                  <p className="summary">{summaryText(version)}</p>
                ) : null}
                {previous ? (
                  <p className="archive-links">
                    <a
                      href={policyPath(slug, locale, "/compare", {
                        from: previous.number,
                        to: version.number,
                      })}
                    >
                      Changes from version {previous.number}
                    </a>
                  </p>
                ) : null}
              </article>
            </li>
          );
        })}
      </ol>
    </PublicShell>
  );
}
