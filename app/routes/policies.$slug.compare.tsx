import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { organisationTitle, PublicShell } from "~/components/public-shell";
import { DateText, MaterialBadge, StatusBadge } from "~/components/public-version";
import { summaryText } from "~/core/history/types";
import { policyPath } from "~/core/public/urls";
import { isRefusal } from "~/core/refusal";
import { cachedPage } from "~/http/page-cache.server";
import { refusalText, refusedAsPage } from "~/http/refusals.server";
import {
  cacheHeaders,
  policyLinks,
  readPolicyRequest,
  resolveComparison,
  versionFacts,
} from "~/models/public-pages.server";
import { comparePublishedVersions } from "~/models/public-policies.server";
import type { RouteHandle } from "~/root";
import publicStyles from "~/styles/public.css";

export const handle: RouteHandle = { hydrate: false };
export const links: LinksFunction = () => [{ rel: "stylesheet", href: publicStyles }];
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export async function loader({ params, request }: LoaderFunctionArgs) {
  const found = await readPolicyRequest(params, request);
  if (!found) throw new Response("Not Found", { status: 404 });
  const { policy } = found;
  const searchParams = new URL(request.url).searchParams;
  let comparison: ReturnType<typeof resolveComparison>;
  try {
    comparison = resolveComparison(policy, searchParams);
  } catch (error) {
    if (isRefusal(error)) throw refusalText(error);
    throw error;
  }
  const { from, to, between } = comparison;
  const hideFormatting = searchParams.get("formatting") === "hide";
  const cache = cacheHeaders("immutable", ["compare", from.number, to.number, hideFormatting, policy]);
  return cachedPage(request, cache, async () => {
    // A full diff pool answers 503 with Retry-After (ADR 0018).
    const redline = await refusedAsPage(comparePublishedVersions(from, to));
    return {
      slug: policy.document.slug,
      locale: policy.document.locale,
      title: policy.document.title,
      from: versionFacts(from),
      to: versionFacts(to),
      between: between.map(versionFacts),
      stats: redline.summary.stats,
      sections: redline.summary.sections,
      html: redline.html,
      hideFormatting,
      choices: policy.versions.map((v) => ({ number: v.number, status: v.status })),
      footerLinks: policyLinks(policy),
    };
  });
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  data
    ? [
        {
          title: organisationTitle(
            `${data.title}: changes from version ${data.from.number} to ${data.to.number}`,
            matches,
          ),
        },
        { name: "robots", content: "noindex" },
      ]
    : [];

export default function ComparePage() {
  const page = useLoaderData<typeof loader>();
  const { slug, locale, from, to, stats } = page;
  const formattingOnly = page.sections.filter((section) => section.formattingOnly).length;
  return (
    <PublicShell locale={locale} footerLinks={page.footerLinks}>
      <div className="compare">
        <header className="policy-header">
          <p className="eyebrow">
            <a href={policyPath(slug, locale)}>{page.title}</a>
          </p>
          <h1>
            Changes from version {from.number} to version {to.number}
          </h1>
          <p className="meta">
            <a href={policyPath(slug, locale, `/versions/${from.number}`)}>Version {from.number}</a>, last
            updated <DateText date={from.lastUpdated} /> →{" "}
            <a href={policyPath(slug, locale, `/versions/${to.number}`)}>version {to.number}</a>, last updated{" "}
            <DateText date={to.lastUpdated} />
            {to.number < from.number ? " (an older version: the redline shows what was undone)" : null}
          </p>
          <p className="download-pdf">
            <a href={policyPath(slug, locale, "/compare/pdf", { from: from.number, to: to.number })} download>
              Download PDF
            </a>
          </p>
        </header>

        <form className="compare-form" method="get" action={policyPath(slug, locale, "/compare")}>
          {locale !== "en" ? <input type="hidden" name="lang" value={locale} /> : null}
          <VersionSelect label="From" name="from" selected={from.number} choices={page.choices} />
          <VersionSelect label="To" name="to" selected={to.number} choices={page.choices} />
          <button type="submit">Compare</button>
        </form>

        <section className="compare-between" aria-labelledby="between-heading">
          <h2 id="between-heading">What changed, in summary</h2>
          <ol className="between">
            {page.between.map((version) => (
              <li key={version.number}>
                <p className="between-title">
                  <a href={policyPath(slug, locale, `/versions/${version.number}`)}>
                    Version {version.number}
                  </a>
                  {" · "}effective <DateText date={version.effectiveAt} />{" "}
                  <StatusBadge status={version.status} />{" "}
                  <MaterialBadge material={version.material} imported={version.imported} />
                </p>
                <p className="summary">{summaryText(version)}</p>
              </li>
            ))}
          </ol>
        </section>

        <section className="compare-changes" aria-labelledby="changes-heading">
          <h2 id="changes-heading">Changed sections</h2>
          <p className="meta stats">
            {`${stats.wordsAdded} ${stats.wordsAdded === 1 ? "word" : "words"} added and ${stats.wordsRemoved} removed in ${page.sections.length} ${page.sections.length === 1 ? "section" : "sections"}`}
            {formattingOnly > 0 ? `, ${formattingOnly} of them with formatting changes only.` : "."}
          </p>
          <p className="formatting-switch">
            <input
              type="checkbox"
              id="hide-formatting"
              defaultChecked={page.hideFormatting}
              aria-describedby="hide-formatting-help"
            />{" "}
            <label htmlFor="hide-formatting">Hide formatting-only changes</label>{" "}
            <span id="hide-formatting-help" className="meta">
              (bold, links, punctuation, spacing, numbering)
            </span>
          </p>
          {page.sections.length === 0 ? (
            <p>The two versions have the same text.</p>
          ) : (
            <nav aria-label="Changed sections">
              <ol className="changed-sections">
                {page.sections.map((section) => (
                  <li
                    key={`${section.target}-${section.label}`}
                    className={section.formattingOnly ? "formatting-only-section" : undefined}
                  >
                    {section.target ? (
                      <a href={`#${section.target}`}>{section.label}</a>
                    ) : (
                      <span>{section.label}</span>
                    )}{" "}
                    <span className="meta">
                      ({section.changes} {section.changes === 1 ? "change" : "changes"}
                      {section.formattingOnly ? ", formatting only" : ""})
                    </span>
                  </li>
                ))}
              </ol>
            </nav>
          )}
        </section>

        <section className="redline-body" aria-labelledby="redline-heading">
          <h2 id="redline-heading" className="visually-hidden">
            Redline
          </h2>
          <p className="legend meta">
            <ins>Added text</ins> <del>Removed text</del>
          </p>
          <RedlineHtml html={page.html} />
        </section>
      </div>
    </PublicShell>
  );
}

/** The diff engine's HTML: every piece of text escaped by renderDiffHtml, markup only <ins>/<del>/headings. */
function RedlineHtml({ html }: { html: string }) {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: escaped by the diff engine's renderer, see above
  return <div className="redline-document" dangerouslySetInnerHTML={{ __html: html }} />;
}

function VersionSelect({
  label,
  name,
  selected,
  choices,
}: {
  label: string;
  name: "from" | "to";
  selected: number;
  choices: { number: number; status: string }[];
}) {
  return (
    <label>
      {label}{" "}
      <select name={name} defaultValue={selected}>
        {choices.map((choice) => (
          <option key={choice.number} value={choice.number}>
            {`Version ${choice.number}${choice.status === "current" ? " (in effect)" : choice.status === "upcoming" ? " (upcoming)" : ""}`}
          </option>
        ))}
      </select>
    </label>
  );
}
