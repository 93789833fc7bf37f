import { languageName } from "~/core/public/locales";
import { policyPath } from "~/core/public/urls";
import type { VersionPageView } from "~/models/public-pages.server";
import { PolicyHtml } from "./policy-html";
import { DateText, MaterialBadge, PublicToc, StatusBadge } from "./public-version";

/**
 * One version of a policy: title, "Last updated" at the top, dates, notices (upcoming change, status of
 * an older version, outdated translation), table of contents and body.
 * `mode` "current" is the policy page (/policies/:slug), "version" a page naming a version.
 */
export function PublicPolicyView({ view, mode }: { view: VersionPageView; mode: "current" | "version" }) {
  const { slug, locale, version } = view;
  return (
    <div className="policy">
      <header className="policy-header">
        <h1>{view.title}</h1>
        <p className="last-updated">
          Last updated: <DateText date={version.lastUpdated} />
        </p>
        <p className="meta version-meta">
          {mode === "version" ? <StatusBadge status={version.status} /> : null}
          {mode === "version" ? (
            <MaterialBadge material={version.material} imported={version.imported} />
          ) : null}
          <span>
            {`Version ${version.number} · ${version.status === "upcoming" ? "Takes effect" : "Effective"} `}
            <DateText date={version.effectiveAt} />
          </span>
        </p>
        {mode === "version" ? (
          <p className="download-pdf">
            <a href={policyPath(slug, locale, `/versions/${version.number}/pdf`)} download>
              Download PDF
            </a>
          </p>
        ) : null}
      </header>

      {view.translation?.outdated ? (
        <aside className="notice notice-translation" aria-label="Translation status">
          <p lang="en">
            {`The original (${languageName(view.translation.sourceLocale)}) has been updated`}
            {view.translation.sourceCurrent ? (
              <>
                {" on "}
                <DateText date={view.translation.sourceCurrent.lastUpdated} />
                {` (version ${view.translation.sourceCurrent.number})`}
              </>
            ) : null}
            {view.translation.basedOnNumber !== null
              ? `; this translation is of version ${view.translation.basedOnNumber}. `
              : "; this translation was made from an earlier version. "}
            <a href={view.translation.sourceHref}>Read the original</a>.
          </p>
        </aside>
      ) : null}

      {mode === "current" && view.upcoming ? (
        <aside className="notice upcoming-banner" aria-label="Upcoming changes">
          <p>
            <strong>
              Changes take effect on <DateText date={view.upcoming.effectiveAt} />.
            </strong>{" "}
            {view.upcoming.summary ? <span>{view.upcoming.summary} </span> : null}
          </p>
          <p className="notice-links">
            <a href={policyPath(slug, locale, `/versions/${view.upcoming.number}`)}>Read the new version</a>
            <a
              href={policyPath(slug, locale, "/compare", { from: version.number, to: view.upcoming.number })}
            >
              See what changes
            </a>
          </p>
        </aside>
      ) : null}

      {mode === "version" ? <VersionStatusNotice view={view} /> : null}

      <PublicToc outline={view.outline} />
      <PolicyHtml className="policy-body" html={view.html} />
    </div>
  );
}

function VersionStatusNotice({ view }: { view: VersionPageView }) {
  const { slug, locale, version, current } = view;
  const compareWithCurrent =
    current && current.number !== version.number
      ? policyPath(slug, locale, "/compare", {
          from: Math.min(current.number, version.number),
          to: Math.max(current.number, version.number),
        })
      : null;
  if (version.status === "current") {
    return (
      <aside className="notice notice-current" aria-label="Version status">
        <p>
          <strong>This version is in effect.</strong>{" "}
          {version.summary ? <span className="summary">{version.summary}</span> : null}
        </p>
      </aside>
    );
  }
  if (version.status === "upcoming") {
    return (
      <aside className="notice upcoming-banner" aria-label="Version status">
        <p>
          <strong>
            This version takes effect on <DateText date={version.effectiveAt} />.
          </strong>{" "}
          {version.summary ? <span className="summary">{version.summary}</span> : null}
        </p>
        <p className="notice-links">
          {current ? <a href={policyPath(slug, locale)}>Read the version in effect</a> : null}
          {compareWithCurrent ? <a href={compareWithCurrent}>See what changes</a> : null}
        </p>
      </aside>
    );
  }
  // Announced ahead of its day, then replaced by a later version announced for that day (or earlier).
  // A version published to take effect at once was in effect, however briefly: not this case.
  const neverInEffect =
    view.replacedBy !== null &&
    version.publishedAt.slice(0, 10) < version.effectiveAt &&
    view.replacedBy.effectiveAt <= version.effectiveAt;
  if (neverInEffect && view.replacedBy) {
    return (
      <aside className="notice notice-superseded" aria-label="Version status">
        <p>
          <strong>This version never took effect.</strong>
          {` Version ${view.replacedBy.number} replaced its announcement before `}
          <DateText date={version.effectiveAt} />.{" "}
          {version.summary ? <span className="summary">{version.summary}</span> : null}
        </p>
        <p className="notice-links">
          {current ? <a href={policyPath(slug, locale)}>Read the version in effect</a> : null}
        </p>
      </aside>
    );
  }
  return (
    <aside className="notice notice-superseded" aria-label="Version status">
      <p>
        <strong>This version is no longer in effect.</strong>
        {view.replacedBy ? (
          <>
            {` Version ${view.replacedBy.number} replaced it on `}
            <DateText date={view.replacedBy.effectiveAt} />.
          </>
        ) : null}{" "}
        {version.summary ? <span className="summary">{version.summary}</span> : null}
      </p>
      <p className="notice-links">
        {current ? <a href={policyPath(slug, locale)}>Read the version in effect</a> : null}
        {compareWithCurrent ? <a href={compareWithCurrent}>Compare with the version in effect</a> : null}
      </p>
    </aside>
  );
}
