import type { MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatLongDate } from "~/core/dates";
import { listPublishedDocuments } from "~/models/documents.server";
import { getPolicyInEffect } from "~/models/versions.server";

export const meta: MetaFunction = () => [{ title: "Policies" }];

export async function loader() {
  const documents = await listPublishedDocuments();
  const policies = await Promise.all(
    documents.map(async (document) => {
      const inEffect = await getPolicyInEffect({ slug: document.slug, locale: document.locale });
      return {
        slug: document.slug,
        locale: document.locale,
        title: document.title,
        lastUpdated: inEffect?.current.lastUpdated ?? null,
        upcoming: inEffect?.upcoming?.effectiveAt ?? null,
      };
    }),
  );
  return { policies };
}

export default function Index() {
  const { policies } = useLoaderData<typeof loader>();
  return (
    <main className="page">
      <h1>Policies</h1>
      {policies.length === 0 ? (
        <p>No policy has been published yet.</p>
      ) : (
        <ul className="policy-list">
          {policies.map((policy) => (
            <li key={`${policy.slug}-${policy.locale}`}>
              <Link to={`/policies/${policy.slug}${policy.locale === "en" ? "" : `?lang=${policy.locale}`}`}>
                {policy.title}
              </Link>
              {policy.locale !== "en" ? <span className="locale"> ({policy.locale})</span> : null}
              {policy.lastUpdated ? (
                <span className="meta">
                  {" "}
                  · Last updated{" "}
                  <time dateTime={policy.lastUpdated}>{formatLongDate(policy.lastUpdated)}</time>
                </span>
              ) : null}
              {policy.upcoming ? (
                <span className="meta"> · changes take effect {formatLongDate(policy.upcoming)}</span>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
