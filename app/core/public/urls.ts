/** The default language: its URLs carry no `?lang=`. */
const DEFAULT_LANG = "en";

/**
 * A public URL of a policy, with `?lang=` for a translation.
 * @example policyPath("privacy", "de", "/versions") // "/policies/privacy/versions?lang=de"
 * @example policyPath("privacy", "en", "/compare", { from: 1, to: 2 }) // "/policies/privacy/compare?from=1&to=2"
 */
export function policyPath(
  slug: string,
  locale: string,
  path = "",
  query: Record<string, string | number> = {},
): string {
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  if (locale !== DEFAULT_LANG) search.set("lang", locale);
  const qs = search.toString();
  return `/policies/${slug}${path}${qs ? `?${qs}` : ""}`;
}

/** The JSON API's URL for the same resource. */
export function apiPath(
  slug: string,
  locale: string,
  path = "",
  query: Record<string, string | number> = {},
): string {
  return `/api/v1${policyPath(slug, locale, path, query)}`;
}
