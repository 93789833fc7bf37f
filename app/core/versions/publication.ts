import { addDays, isIsoDate } from "../dates";
import { Refusal } from "../refusal";

const MAX_SUMMARY_LENGTH = 2000;

export type PublicationRequest = {
  /** "Last updated" date; defaults to today. */
  lastUpdated?: string;
  /** Effective date; defaults to today, or today + the notice period for a material change. */
  effectiveAt?: string;
  material: boolean;
  /** Plain-language summary of what changed; required for a material change. */
  summary?: string | null;
};

export type PublishedSibling = { number: number; contentHash: string; effectiveAt: string };

export type Publication = {
  lastUpdated: string;
  effectiveAt: string;
  material: boolean;
  summary: string | null;
  /** True when a material change takes effect sooner than the notice period allows. */
  noticePeriodShortened: boolean;
};

/**
 * Decides the dates and facts a version is published with, or refuses: identical content
 * ("no changes"), a material change without a summary, malformed dates, or an effective date
 * before the latest published version's.
 */
export function planPublication(input: {
  request: PublicationRequest;
  contentHash: string;
  latestPublished: PublishedSibling | null;
  today: string;
  noticePeriodDays: number;
}): Publication {
  const { request, latestPublished, today, noticePeriodDays } = input;
  for (const [label, value] of [
    ["last updated", request.lastUpdated],
    ["effective", request.effectiveAt],
  ] as const) {
    if (value !== undefined && !isIsoDate(value)) {
      throw new Refusal("invalid", `${label} date "${value}" is not a date in the form YYYY-MM-DD`);
    }
  }
  if (latestPublished && latestPublished.contentHash === input.contentHash) {
    throw new Refusal(
      "conflict",
      `no changes: the content is identical to published version ${latestPublished.number}`,
    );
  }
  const summary = request.summary?.trim() || null;
  if (request.material && !summary) {
    throw new Refusal("invalid", "a material change needs a plain-language summary of what changed");
  }
  if (summary && summary.length > MAX_SUMMARY_LENGTH) {
    throw new Refusal("invalid", `the summary is longer than ${MAX_SUMMARY_LENGTH} characters`);
  }
  const noticeEnds = addDays(today, noticePeriodDays);
  const effectiveAt = request.effectiveAt ?? (request.material ? noticeEnds : today);
  if (latestPublished && effectiveAt < latestPublished.effectiveAt) {
    throw new Refusal(
      "invalid",
      `effective date ${effectiveAt} is before the effective date of version ${latestPublished.number} (${latestPublished.effectiveAt})`,
    );
  }
  return {
    lastUpdated: request.lastUpdated ?? today,
    effectiveAt,
    material: request.material,
    summary,
    noticePeriodShortened: request.material && effectiveAt < noticeEnds,
  };
}
