/**
 * Which versions of a company's earlier history become Redline versions, with which dates, and what
 * is skipped or refused — pure, so the command line's `--dry-run` and the import itself decide alike
 * (ADR 0020-import-history).
 */
import { isIsoDate } from "../dates";
import type { FrontMatter } from "../document/front-matter";
import { type StatedDates, statedDates } from "./stated-dates";
import { type DateOrigin, describeSource, type HistorySource } from "./types";

/** One version as read from the source, oldest first. */
export type FoundVersion = {
  source: HistorySource;
  /** When it became public as far as the source knows: the commit's date, or the file name's day. */
  sourceAt: string;
  contentHash: string;
  /** The version's plain text, where its own dates are looked for. */
  text: string;
  frontMatter: FrontMatter | null;
};

/** A version the source holds but that could not be read: it refuses the whole import. */
export type UnreadableVersion = { source: HistorySource; reason: string };

/** The document's versions already stored (published ones, in number order) and its open draft. */
export type ExistingHistory = {
  versions: { number: number; contentHash: string; publishedAt: string; effectiveAt: string }[];
  openDraft: number | null;
};

type PlannedVersion = {
  found: FoundVersion;
  number: number;
  lastUpdated: string;
  effectiveAt: string;
  publishedAt: string;
  dates: { lastUpdated: DateOrigin; effectiveAt: DateOrigin };
};

export type SkippedVersion = {
  source: HistorySource;
  why: "identical" | "same-day" | "already-imported";
  detail: string;
};
type HistoryRefusal = { source: HistorySource | null; detail: string };

export type HistoryPlan = {
  found: number;
  versions: PlannedVersion[];
  skipped: SkippedVersion[];
  /** Non-empty means nothing is imported: each names the version (or the document) and why. */
  refusals: HistoryRefusal[];
};

const dayOf = (timestamp: string) => timestamp.slice(0, 10);

/** A date from the front matter: `YYYY-MM-DD` as written, else read like a date in the text. */
function frontMatterDate(value: string | null, locale: string): string | null {
  if (!value) return null;
  const iso = /^\d{4}-\d{2}-\d{2}/.exec(value)?.[0];
  if (iso && isIsoDate(iso)) return iso;
  return statedDates(`Last updated: ${value}`, locale).lastUpdated;
}

type Stated = { date: string; origin: DateOrigin } | null;

function documentDates(found: FoundVersion, locale: string): { lastUpdated: Stated; effectiveAt: Stated } {
  const front: StatedDates = {
    lastUpdated: frontMatterDate(found.frontMatter?.lastUpdated ?? null, locale),
    effectiveAt: frontMatterDate(found.frontMatter?.effectiveAt ?? null, locale),
  };
  const text = statedDates(found.text, locale);
  const pick = (...options: [string | null, DateOrigin][]): Stated => {
    for (const [date, origin] of options) if (date) return { date, origin };
    return null;
  };
  return {
    // A policy that states only one date means both by it: "Effective date: …" is its "last updated".
    lastUpdated: pick(
      [front.lastUpdated, "front-matter"],
      [text.lastUpdated, "text"],
      [front.effectiveAt, "front-matter"],
      [text.effectiveAt, "text"],
    ),
    effectiveAt: pick(
      [front.effectiveAt, "front-matter"],
      [text.effectiveAt, "text"],
      [front.lastUpdated, "front-matter"],
      [text.lastUpdated, "text"],
    ),
  };
}

/**
 * Decides the import of `found` (oldest first) into a document that already holds `existing`:
 *
 * - a source dated in the future, or earlier than the version before it, refuses the import;
 * - of several versions published on the same day only the day's last is kept (effective dates are
 *   days: the others were never in effect on any day), the rest are skipped;
 * - a version identical to the one before it is skipped;
 * - versions the document already holds (same content hash, same time) are skipped, so a re-run
 *   imports what is new;
 *   a new version older than a stored one refuses the import: the document already has later versions;
 * - "last updated" is the date the text states (front matter first), else the source's day; the
 *   effective date likewise, but never before the previous version's: a date carried over unchanged
 *   from an earlier text did not take effect again, so such a version takes effect on its own day.
 */
export function planHistory(input: {
  found: FoundVersion[];
  unreadable: UnreadableVersion[];
  existing: ExistingHistory;
  today: string;
  locale: string;
}): HistoryPlan {
  const { existing, today, locale } = input;
  const refusals: HistoryRefusal[] = input.unreadable.map((u) => ({ source: u.source, detail: u.reason }));
  const skipped: SkippedVersion[] = [];
  if (existing.openDraft !== null) {
    refusals.push({
      source: null,
      detail: `the document has an open version ${existing.openDraft}: publish or discard it before importing history`,
    });
  }

  // Dates the source gives: never in the future, never going backwards.
  let previous: FoundVersion | null = null;
  for (const found of input.found) {
    if (dayOf(found.sourceAt) > today) {
      refusals.push({
        source: found.source,
        detail: `dated ${dayOf(found.sourceAt)}, which is in the future`,
      });
    } else if (previous && found.sourceAt < previous.sourceAt) {
      refusals.push({
        source: found.source,
        detail: `dated ${found.sourceAt}, before ${describeSource(previous.source)} (${previous.sourceAt}) which comes first in the source`,
      });
    }
    previous = found;
  }

  // The day's last version stands for the day.
  const daily: FoundVersion[] = [];
  input.found.forEach((found, index) => {
    const next = input.found[index + 1];
    if (next && dayOf(next.sourceAt) === dayOf(found.sourceAt)) {
      skipped.push({
        source: found.source,
        why: "same-day",
        detail: `replaced on the same day (${dayOf(found.sourceAt)}) by ${describeSource(next.source)}`,
      });
    } else daily.push(found);
  });

  const distinct: FoundVersion[] = [];
  for (const found of daily) {
    const before = distinct[distinct.length - 1];
    if (before && before.contentHash === found.contentHash) {
      skipped.push({
        source: found.source,
        why: "identical",
        detail: `identical to ${describeSource(before.source)}`,
      });
    } else distinct.push(found);
  }

  // What the document already holds: the same content (hash) published at the same time — an
  // imported version keeps its source's time — so a text that came back later is not mistaken for
  // its first appearance.
  const key = (hash: string, at: string) => `${hash}@${at}`;
  const stored = new Set(existing.versions.map((v) => key(v.contentHash, v.publishedAt)));
  const isStored = (found: FoundVersion) => stored.has(key(found.contentHash, found.sourceAt));
  let lastStored = -1;
  distinct.forEach((found, index) => {
    if (isStored(found)) lastStored = index;
  });
  const fresh: FoundVersion[] = [];
  distinct.forEach((found, index) => {
    if (isStored(found)) {
      skipped.push({
        source: found.source,
        why: "already-imported",
        detail: "the document already has this text",
      });
    } else if (index < lastStored) {
      refusals.push({
        source: found.source,
        detail: `older than versions the document already has (${describeSource(distinct[lastStored].source)}): history is only added after them`,
      });
    } else fresh.push(found);
  });

  const latest = existing.versions[existing.versions.length - 1];
  const first = fresh[0];
  if (latest && first && first.sourceAt < latest.publishedAt) {
    refusals.push({
      source: first.source,
      detail: `dated ${dayOf(first.sourceAt)}, but the document already has a later version ${latest.number} (published ${dayOf(latest.publishedAt)}): history is only added after it`,
    });
  }

  const versions: PlannedVersion[] = [];
  let number = latest?.number ?? 0;
  let previousEffective = latest?.effectiveAt ?? null;
  for (const found of fresh) {
    const day = dayOf(found.sourceAt);
    const stated = documentDates(found, locale);
    if (stated.lastUpdated && stated.lastUpdated.date > today) {
      refusals.push({
        source: found.source,
        detail: `its text says it was last updated ${stated.lastUpdated.date}, which is in the future`,
      });
    }
    const lastUpdated = stated.lastUpdated ?? { date: day, origin: "source" as const };
    let effective: { date: string; origin: DateOrigin } = stated.effectiveAt ?? {
      date: day,
      origin: "source",
    };
    if (previousEffective !== null && effective.date <= previousEffective) {
      // ISO dates compare as strings.
      const date = [day, previousEffective].sort()[1];
      if (date !== effective.date) effective = { date, origin: "source" };
    }
    previousEffective = effective.date;
    number += 1;
    versions.push({
      found,
      number,
      lastUpdated: lastUpdated.date,
      effectiveAt: effective.date,
      publishedAt: found.sourceAt,
      dates: { lastUpdated: lastUpdated.origin, effectiveAt: effective.origin },
    });
  }

  return { found: input.found.length + input.unreadable.length, versions, skipped, refusals };
}

/** A file name that starts with an ISO date, optionally after a sequence number: `007-2023-05-04.md`. */
export function datedFileName(name: string): { date: string; sequence: number | null } | null {
  const match = /^(?:(\d{1,6})[-_. ])?(\d{4}-\d{2}-\d{2})(?![\d])/.exec(name);
  if (!match || !isIsoDate(match[2])) return null;
  return { date: match[2], sequence: match[1] === undefined ? null : Number(match[1]) };
}
