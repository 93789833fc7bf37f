/**
 * The public JSON API's shapes (documented in README, "Public API"). Pure: the routes pass in what the
 * models read and the site's public base URL.
 */

import type { PolicyDiff } from "../diff";
import type { OutlineEntry } from "../document/types";
import type { PublicStatus } from "../versions/in-effect";
import { apiPath, policyPath } from "./urls";

export type ApiVersionFacts = {
  number: number;
  status: PublicStatus;
  lastUpdated: string;
  effectiveAt: string;
  publishedAt: string;
  material: boolean;
  summary: string | null;
  /** The audit chain's head when the version was published (ADR 0011); null before heads were kept. */
  auditHead: string | null;
  /**
   * Imported from the company's earlier history (ADR 0020-import-history): nobody assessed whether
   * it was a material change, so `material` is false only because none was claimed.
   */
  imported: boolean;
};

export type ApiDocument = { slug: string; locale: string; title: string };
export type ApiBody = { html: string; text: string; outline: OutlineEntry[] };

export type ApiTranslation = {
  sourceLocale: string;
  sourceCurrent: { number: number; lastUpdated: string } | null;
  basedOnNumber: number | null;
  outdated: boolean;
};

/** One version without its body, as in the archive. */
function versionSummaryJson(baseUrl: string, document: ApiDocument, v: ApiVersionFacts) {
  const { slug, locale } = document;
  return {
    version: v.number,
    status: v.status,
    lastUpdated: v.lastUpdated,
    effectiveAt: v.effectiveAt,
    publishedAt: v.publishedAt,
    material: v.material,
    summary: v.summary,
    auditHead: v.auditHead,
    imported: v.imported,
    materialityKnown: !v.imported,
    links: {
      self: baseUrl + apiPath(slug, locale, `/versions/${v.number}`),
      html: baseUrl + policyPath(slug, locale, `/versions/${v.number}`),
    },
  };
}

/** A version with its body: `/api/v1/policies/:slug` (the one in effect) and `/versions/:n`. */
export function versionJson(input: {
  baseUrl: string;
  document: ApiDocument;
  version: ApiVersionFacts;
  body: ApiBody;
  /** True for `/api/v1/policies/:slug` (the version in effect): adds `upcoming`, links to the current URL. */
  inEffect: boolean;
  /** The next version announced (read only when `inEffect`). */
  upcoming?: ApiVersionFacts | null;
  locales: string[];
  translation: ApiTranslation | null;
}) {
  const { baseUrl, document, version, body } = input;
  const { slug, locale } = document;
  const upcoming =
    input.inEffect && input.upcoming
      ? {
          ...versionSummaryJson(baseUrl, document, input.upcoming),
          diff: baseUrl + apiPath(slug, locale, "/diff", { from: version.number, to: input.upcoming.number }),
          redline:
            baseUrl +
            policyPath(slug, locale, "/compare", { from: version.number, to: input.upcoming.number }),
        }
      : null;
  return {
    slug,
    locale,
    title: document.title,
    version: version.number,
    status: version.status,
    lastUpdated: version.lastUpdated,
    effectiveAt: version.effectiveAt,
    publishedAt: version.publishedAt,
    material: version.material,
    summary: version.summary,
    auditHead: version.auditHead,
    imported: version.imported,
    materialityKnown: !version.imported,
    html: body.html,
    text: body.text,
    outline: body.outline,
    links: {
      self: baseUrl + apiPath(slug, locale, input.inEffect ? "" : `/versions/${version.number}`),
      html: baseUrl + policyPath(slug, locale, input.inEffect ? "" : `/versions/${version.number}`),
      current: baseUrl + apiPath(slug, locale),
      archive: baseUrl + apiPath(slug, locale, "/versions"),
      feed: baseUrl + policyPath(slug, locale, "/feed.atom"),
    },
    ...(input.inEffect ? { upcoming } : {}),
    locales: input.locales,
    translation: input.translation,
  };
}

/** `/api/v1/policies/:slug/versions`: every published version, newest first. */
export function archiveJson(baseUrl: string, document: ApiDocument, versions: ApiVersionFacts[]) {
  return {
    slug: document.slug,
    locale: document.locale,
    title: document.title,
    versions: versions.map((v) => versionSummaryJson(baseUrl, document, v)),
    links: {
      self: baseUrl + apiPath(document.slug, document.locale, "/versions"),
      current: baseUrl + apiPath(document.slug, document.locale),
      feed: baseUrl + policyPath(document.slug, document.locale, "/feed.atom"),
    },
  };
}

/** `/api/v1/policies/:slug/diff?from=N&to=M`: the diff engine's result plus both versions' facts. */
export function diffJson(input: {
  baseUrl: string;
  document: ApiDocument;
  from: ApiVersionFacts;
  to: ApiVersionFacts;
  /** Versions after the older one up to the newer one, newest first: what the redline spans. */
  between: ApiVersionFacts[];
  diff: PolicyDiff;
}) {
  const { baseUrl, document, from, to, diff } = input;
  return {
    slug: document.slug,
    locale: document.locale,
    title: document.title,
    from: versionSummaryJson(baseUrl, document, from),
    to: versionSummaryJson(baseUrl, document, to),
    between: input.between.map((v) => versionSummaryJson(baseUrl, document, v)),
    stats: diff.stats,
    material: diff.material,
    blocks: diff.blocks,
    links: {
      self: baseUrl + apiPath(document.slug, document.locale, "/diff", { from: from.number, to: to.number }),
      html:
        baseUrl +
        policyPath(document.slug, document.locale, "/compare", { from: from.number, to: to.number }),
    },
  };
}
