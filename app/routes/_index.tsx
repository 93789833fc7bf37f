import type { LinksFunction, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { organisationTitle, PublicShell } from "~/components/public-shell";
import { DateText } from "~/components/public-version";
import { languageName } from "~/core/public/locales";
import { policyPath } from "~/core/public/urls";
import { listPublishedDocuments } from "~/models/documents.server";
import { publishedVersionsByDocument } from "~/models/versions.server";
import type { RouteHandle } from "~/root";
import publicStyles from "~/styles/public.css";

export const handle: RouteHandle = { hydrate: false };
export const links: LinksFunction = () => [{ rel: "stylesheet", href: publicStyles }];
export const meta: MetaFunction = ({ matches }) => [{ title: organisationTitle("Policies", matches) }];

export async function loader() {
  const documents = await listPublishedDocuments();
  const published = await publishedVersionsByDocument(documents.map((document) => document.id));
  const policies = documents.map((document) => {
    const versions = published.get(document.id) ?? [];
    return {
      slug: document.slug,
      locale: document.locale,
      title: document.title,
      lastUpdated: versions.find((v) => v.status === "current")?.lastUpdated ?? null,
      upcoming: versions.find((v) => v.status === "upcoming")?.effectiveAt ?? null,
    };
  });
  return { policies };
}

export default function Index() {
  const { policies } = useLoaderData<typeof loader>();
  return (
    <PublicShell>
      <h1>Policies</h1>
      {policies.length === 0 ? (
        <p>No policy has been published yet.</p>
      ) : (
        <ul className="policy-list">
          {policies.map((policy) => (
            <li key={`${policy.slug}-${policy.locale}`} lang={policy.locale}>
              <a href={policyPath(policy.slug, policy.locale)}>{policy.title}</a>
              {policy.locale !== "en" ? (
                <span className="locale"> ({languageName(policy.locale)})</span>
              ) : null}
              {policy.lastUpdated ? (
                <span className="meta">
                  {" · Last updated "}
                  <DateText date={policy.lastUpdated} />
                </span>
              ) : null}
              {policy.upcoming ? (
                <span className="meta">
                  {" · changes take effect "}
                  <DateText date={policy.upcoming} />
                </span>
              ) : null}
              {" · "}
              <a className="meta" href={policyPath(policy.slug, policy.locale, "/versions")}>
                all versions
              </a>
            </li>
          ))}
        </ul>
      )}
    </PublicShell>
  );
}
