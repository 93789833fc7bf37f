/**
 * What is kept about a version imported from a company's earlier history (`redline import-history`):
 * where it came from, where its dates came from, and the diff engine's materiality suggestion, which
 * is advice only — nobody decided whether the change was material, so the version claims neither.
 */

/** A commit's copy of a file in a git repository, or a file in a folder of dated files. */
export type HistorySource = { kind: "git"; commit: string; path: string } | { kind: "file"; file: string };

/** Where a date came from: the document's front matter, its own text, or the commit / file name. */
export type DateOrigin = "front-matter" | "text" | "source";

export type ImportAdvice = {
  /** The engine's suggestion against the version before; advice, never the version's material flag. */
  suggested: boolean;
  reasons: { kind: string; section: string; detail: string }[];
  incomplete?: true;
};

/** Stored on an imported version (`versions.imported`); null on versions made in Redline. */
export type ImportedOrigin = {
  source: HistorySource;
  dates: { lastUpdated: DateOrigin; effectiveAt: DateOrigin };
  /** Null for the first version of a history: there is nothing to compare it with. */
  advice: ImportAdvice | null;
};

/**
 * What the public pages and the feed say about a version without a summary: an imported one was
 * never assessed, the others were published without one.
 */
export function summaryText(version: { summary: string | null; imported: boolean }): string {
  if (version.summary) return version.summary;
  return version.imported
    ? "Imported from the earlier history of this policy; whether the change was material is not known."
    : "No summary was given for this version.";
}

/** How a source is named to people: "commit 1a2b3c4d (Policies/privacy.md)" or "2023-05-04.md". */
export function describeSource(source: HistorySource): string {
  return source.kind === "git" ? `commit ${source.commit.slice(0, 10)} (${source.path})` : source.file;
}
