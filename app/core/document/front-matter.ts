/**
 * YAML front matter (`---` … `---` at the very top of a file, as Jekyll, Hugo, Docusaurus and
 * GitHub's own policy repository write it) is metadata about a policy, never its text: the importer
 * takes the title and dates from it and leaves it out of the body. Parsed by `yaml` (eemeli/yaml,
 * YAML 1.2 core schema, so "2023-05-04" stays a string and nothing is evaluated).
 */
import { parse } from "yaml";

export type FrontMatter = {
  title: string | null;
  /** As written in the front matter (a date the importer still has to read). */
  lastUpdated: string | null;
  effectiveAt: string | null;
};

export type SplitSource = {
  /** The source with its front matter replaced by as many empty lines, so line numbers still match. */
  body: string;
  frontMatter: FrontMatter | null;
};

const OPENING = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSING = /^(?:---|\.\.\.)[ \t]*$/;

// Keys seen in the wild for each fact, in order of preference.
const TITLE_KEYS = ["title", "name"];
const LAST_UPDATED_KEYS = [
  "last_updated",
  "lastUpdated",
  "last-updated",
  "last_modified",
  "lastModified",
  "updated",
  "modified",
  "date",
];
const EFFECTIVE_KEYS = [
  "effective_date",
  "effectiveDate",
  "effective-date",
  "effective_at",
  "effectiveAt",
  "effective",
];

/**
 * Splits a leading YAML front matter block off a Markdown or HTML source. A block that is not a
 * YAML mapping (a Markdown rule followed by a heading underline, say) is left in the body as it was.
 * @example splitFrontMatter("---\ntitle: Privacy\n---\n# Hello").frontMatter?.title // "Privacy"
 */
export function splitFrontMatter(source: string): SplitSource {
  const opening = OPENING.exec(source);
  if (!opening) return { body: source, frontMatter: null };
  const lines = source.slice(opening[0].length).split("\n");
  const end = lines.findIndex((line) => CLOSING.test(line.replace(/\r$/, "")));
  if (end < 0) return { body: source, frontMatter: null };
  let data: unknown;
  try {
    data = parse(lines.slice(0, end).join("\n"), { maxAliasCount: 50 });
  } catch {
    return { body: source, frontMatter: null };
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) return { body: source, frontMatter: null };
  const record = data as Record<string, unknown>;
  // The opening line, the block and the closing line become empty lines.
  const body = "\n".repeat(end + 2) + lines.slice(end + 1).join("\n");
  return {
    body,
    frontMatter: {
      title: firstText(record, TITLE_KEYS),
      lastUpdated: firstText(record, LAST_UPDATED_KEYS),
      effectiveAt: firstText(record, EFFECTIVE_KEYS),
    },
  };
}

function firstText(record: Record<string, unknown>, keys: string[]): string | null {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === "string" && value.trim()) return value.trim();
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  }
  return null;
}
