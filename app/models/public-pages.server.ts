/**
 * What the public pages, the JSON API and the feed have in common: reading the policy a URL names,
 * and the ETag and Cache-Control of each kind of answer. Thin routes call these and respond.
 */
import type { ApiVersionFacts } from "../core/public/api";
import { currentCacheControl, etagOf, IMMUTABLE_CACHE_CONTROL } from "../core/public/http-cache";
import { parseComparisonQuery, parsePolicyParams } from "../core/public/params";
import { apiPath, policyPath } from "../core/public/urls";
import { Refusal } from "../core/refusal";
import { getEnv } from "../env.server";
import {
  findPublicPolicy,
  getPublishedBody,
  type PublicPolicy,
  type PublicVersion,
  renderStamp,
} from "./public-policies.server";

export type PolicyRequest = { policy: PublicPolicy; lang: string | null; number: number | null };

/**
 * The policy (and version number) a public URL names, or null when the slug, `?lang=` or version
 * number is malformed or names nothing published.
 */
export async function readPolicyRequest(
  params: { slug?: string; n?: string },
  request: Request,
  now = new Date(),
): Promise<PolicyRequest | null> {
  const parsed = parsePolicyParams(params, new URL(request.url).searchParams);
  if (!parsed) return null;
  const policy = await findPublicPolicy({ slug: parsed.slug, lang: parsed.lang, now });
  if (!policy) return null;
  return { policy, lang: parsed.lang, number: parsed.number };
}

export function findVersion(policy: PublicPolicy, number: number): PublicVersion | undefined {
  return policy.versions.find((v) => v.number === number);
}

export type CacheKind =
  /** The URL names a version (or two): what it shows can only change with a deployment. */
  | "immutable"
  /** The URL follows the version in effect: changes on publication and on effective dates. */
  | "current";

/**
 * The cache validator (ETag) and lifetime of an answer; the route answers 304 or the page with them
 * (app/http/page-cache.server.ts). `facts` must hold everything the answer depends on besides
 * the running code (version ids and content hashes stand for the immutable bodies).
 */
export function cacheHeaders(kind: CacheKind, facts: unknown, now = new Date()) {
  return {
    etag: etagOf([renderStamp(), facts]),
    cacheControl: kind === "immutable" ? IMMUTABLE_CACHE_CONTROL : currentCacheControl(now),
  };
}

/** The address the site is reached at, for absolute links in feeds and the JSON API. */
export function publicBaseUrl(): string {
  return getEnv().PUBLIC_BASE_URL;
}

/** A version's public facts, without ids or content hashes; with the audit chain head published with it. */
export function versionFacts(v: PublicVersion): ApiVersionFacts {
  return {
    number: v.number,
    status: v.status,
    lastUpdated: v.lastUpdated,
    effectiveAt: v.effectiveAt,
    publishedAt: v.publishedAt,
    material: v.material,
    summary: v.summary,
    auditHead: v.auditHead,
    imported: v.imported,
  };
}

/** Language switcher entries: the same kind of page in every language the policy is in effect in. */
export function localeLinks(policy: PublicPolicy, path = "") {
  return policy.locales.map((entry) => ({
    locale: entry.locale,
    href: policyPath(policy.document.slug, entry.locale, path),
    current: entry.locale === policy.document.locale,
  }));
}

/** Footer links every public policy page carries. */
export function policyLinks(policy: PublicPolicy) {
  const { slug, locale } = policy.document;
  return [
    { href: policyPath(slug, locale), label: "Policy in effect" },
    { href: policyPath(slug, locale, "/versions"), label: "All versions" },
    { href: policyPath(slug, locale, "/feed.atom"), label: "Atom feed" },
    { href: apiPath(slug, locale), label: "JSON" },
  ];
}

/** Everything the policy page and the version page show for one version. */
export async function versionPageView(policy: PublicPolicy, version: PublicVersion, switcherPath = "") {
  const body = await getPublishedBody(version);
  const { slug, locale, title } = policy.document;
  const newer = policy.versions.filter((v) => v.number > version.number);
  return {
    slug,
    locale,
    title,
    version: versionFacts(version),
    html: body.html,
    outline: body.outline,
    current: policy.current ? versionFacts(policy.current) : null,
    upcoming: policy.upcoming ? versionFacts(policy.upcoming) : null,
    /** For a superseded version: the one that replaced it (the next one that took effect). */
    replacedBy: version.status === "superseded" ? versionFacts(newer[newer.length - 1]) : null,
    locales: localeLinks(policy, switcherPath),
    translation: policy.translation
      ? {
          ...policy.translation,
          sourceHref: policyPath(slug, policy.translation.sourceLocale),
        }
      : null,
    footerLinks: policyLinks(policy),
  };
}

export type VersionPageView = Awaited<ReturnType<typeof versionPageView>>;

/**
 * The two published versions a comparison names and those it spans (after the older, up to the
 * newer, newest first); refused ("invalid") when from/to are malformed, equal or not published.
 */
export function resolveComparison(policy: PublicPolicy, searchParams: URLSearchParams) {
  const query = parseComparisonQuery(searchParams);
  if (!query.ok) throw new Refusal("invalid", query.error);
  const numbers = policy.versions.map((v) => v.number);
  const range = `published versions are ${Math.min(...numbers)} to ${Math.max(...numbers)}`;
  const from = findVersion(policy, query.from);
  if (!from) throw new Refusal("invalid", `There is no published version ${query.from}: ${range}.`);
  const to = findVersion(policy, query.to);
  if (!to) throw new Refusal("invalid", `There is no published version ${query.to}: ${range}.`);
  const [low, high] = from.number < to.number ? [from.number, to.number] : [to.number, from.number];
  const between = policy.versions.filter((v) => v.number > low && v.number <= high);
  return { from, to, between };
}
