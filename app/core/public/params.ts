import { z } from "zod";
import { isLocale, isSlug, parsePositiveInteger } from "../identifiers";

/** Slugs appear in URLs: the one slug rule of app/core/identifiers.ts. */
const publicSlugSchema = z.string().refine(isSlug);

/** A language tag as `?lang=` gives it ("de", "pt-BR"): the one locale rule; anything else names no translation. */
const langSchema = z.string().refine(isLocale);

/**
 * The refusal of a redline from a version to itself, worded once for the public pages, the JSON
 * API, the workspace and the command line.
 * @example sameVersionRefusal(3) // "From and to are both version 3: choose two different versions."
 */
export function sameVersionRefusal(version: number): string {
  return `From and to are both version ${version}: choose two different versions.`;
}

/** A version number as written in a URL: the one positive-integer rule of app/core/identifiers.ts. */
const versionNumberSchema = z
  .string()
  .refine((value) => parsePositiveInteger(value) !== null)
  .transform(Number);

/** The path and `?lang=` parameters every public policy URL has; null when they cannot name a policy. */
export function parsePolicyParams(
  params: { slug?: string; n?: string },
  searchParams: URLSearchParams,
): { slug: string; lang: string | null; number: number | null } | null {
  const slug = publicSlugSchema.safeParse(params.slug ?? "");
  if (!slug.success) return null;
  const langs = searchParams.getAll("lang");
  if (langs.length > 1) return null;
  let lang: string | null = null;
  if (langs.length === 1) {
    const parsed = langSchema.safeParse(langs[0]);
    if (!parsed.success) return null;
    lang = parsed.data;
  }
  let number: number | null = null;
  if (params.n !== undefined) {
    const parsed = versionNumberSchema.safeParse(params.n);
    if (!parsed.success) return null;
    number = parsed.data;
  }
  return { slug: slug.data, lang, number };
}

export type ComparisonRequest = { ok: true; from: number; to: number } | { ok: false; error: string };

/**
 * Reads `from` and `to` of a comparison. The explanation of a refusal is shown to the reader, so it
 * says what to change; it never echoes the raw input.
 */
export function parseComparisonQuery(searchParams: URLSearchParams): ComparisonRequest {
  const read = (name: "from" | "to"): number | string => {
    const values = searchParams.getAll(name);
    if (values.length === 0 || values[0] === "") {
      return `Give both versions to compare, for example ?from=1&to=2 (${name} is missing).`;
    }
    if (values.length > 1) return `Give ${name} only once.`;
    const parsed = versionNumberSchema.safeParse(values[0]);
    if (!parsed.success) return `${name} must be a version number such as 1, 2 or 3.`;
    return parsed.data;
  };
  const from = read("from");
  if (typeof from === "string") return { ok: false, error: from };
  const to = read("to");
  if (typeof to === "string") return { ok: false, error: to };
  if (from === to) return { ok: false, error: sameVersionRefusal(from) };
  return { ok: true, from, to };
}
