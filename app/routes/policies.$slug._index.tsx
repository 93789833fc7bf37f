import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { PolicyHtml } from "~/components/policy-html";
import { formatLongDate } from "~/core/dates";
import { LOCALE_PATTERN, SLUG_PATTERN } from "~/models/documents.server";
import { getPolicyInEffect } from "~/models/versions.server";

export async function loader({ params, request }: LoaderFunctionArgs) {
  const slug = params.slug ?? "";
  const lang = new URL(request.url).searchParams.get("lang") ?? "en";
  if (!SLUG_PATTERN.test(slug) || !LOCALE_PATTERN.test(lang))
    throw new Response("Not Found", { status: 404 });
  const policy = await getPolicyInEffect({ slug, locale: lang });
  if (!policy) throw new Response("Not Found", { status: 404 });
  const { document, current, upcoming } = policy;
  return {
    slug: document.slug,
    locale: document.locale,
    title: document.title,
    number: current.number,
    lastUpdated: current.lastUpdated!,
    effectiveAt: current.effectiveAt!,
    html: current.html,
    outline: current.outline.filter((entry) => entry.level <= 3),
    upcoming: upcoming
      ? { number: upcoming.number, effectiveAt: upcoming.effectiveAt!, summary: upcoming.summary }
      : null,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data
    ? [
        { title: data.title },
        { name: "description", content: `${data.title}, last updated ${data.lastUpdated}` },
      ]
    : [];

export default function PolicyPage() {
  const policy = useLoaderData<typeof loader>();
  const topLevel = Math.min(...policy.outline.map((entry) => entry.level));
  return (
    <main className="page policy" lang={policy.locale}>
      <header className="policy-header">
        <h1>{policy.title}</h1>
        <p className="last-updated">
          Last updated: <time dateTime={policy.lastUpdated}>{formatLongDate(policy.lastUpdated)}</time>
        </p>
        {policy.effectiveAt !== policy.lastUpdated ? (
          <p className="meta">
            Effective: <time dateTime={policy.effectiveAt}>{formatLongDate(policy.effectiveAt)}</time>
          </p>
        ) : null}
      </header>
      {policy.upcoming ? (
        <aside className="upcoming-banner" aria-label="Upcoming changes">
          <strong>
            Changes take effect on{" "}
            <time dateTime={policy.upcoming.effectiveAt}>{formatLongDate(policy.upcoming.effectiveAt)}</time>.
          </strong>{" "}
          {policy.upcoming.summary ? <span>{policy.upcoming.summary} </span> : null}
          <a href={`/policies/${policy.slug}/versions/${policy.upcoming.number}`}>Read the new version</a> ·{" "}
          <a href={`/policies/${policy.slug}/compare?from=${policy.number}&to=${policy.upcoming.number}`}>
            See what changes
          </a>
        </aside>
      ) : null}
      {policy.outline.length > 0 ? (
        <nav className="toc" aria-label="Contents">
          <h2>Contents</h2>
          <ol>
            {policy.outline.map((entry) => (
              <li key={entry.id} className={`toc-level-${entry.level - topLevel}`}>
                <a href={`#${entry.id}`}>{entry.text}</a>
              </li>
            ))}
          </ol>
        </nav>
      ) : null}
      <PolicyHtml className="policy-body" html={policy.html} />
    </main>
  );
}
