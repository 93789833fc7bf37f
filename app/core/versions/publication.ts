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
  /**
   * Why this version replaces the announcement of a published version that has not taken effect
   * yet and would take effect on the same day (it never will). Without it that is refused.
   */
  replaceAnnouncementReason?: string | null;
};

export type PublishedSibling = { number: number; contentHash: string; effectiveAt: string };

export type Publication = {
  lastUpdated: string;
  effectiveAt: string;
  material: boolean;
  summary: string | null;
  /** True when a material change takes effect sooner than the notice period allows. */
  noticePeriodShortened: boolean;
  /** The upcoming version whose announcement this publication replaces, and why. */
  replacesAnnouncement: { number: number; effectiveAt: string; reason: string } | null;
};

const MAX_REASON_LENGTH = 5000;

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
  const replacesAnnouncement = checkAnnouncement({
    latestPublished,
    effectiveAt,
    today,
    reason: request.replaceAnnouncementReason?.trim() || null,
  });
  return {
    replacesAnnouncement,
    lastUpdated: request.lastUpdated ?? today,
    effectiveAt,
    material: request.material,
    summary,
    noticePeriodShortened: request.material && effectiveAt < noticeEnds,
  };
}

/**
 * Two published versions announced for the same day: the newer one wins and the older never takes
 * effect, although its readers (and the subscribers its notice reached) were told it would. So a
 * publication on the day an upcoming version is announced for is refused unless it says, with a
 * reason, that it replaces that announcement (ADR 0021). A reason with nothing to
 * replace is refused too, so that the audit log never records a replacement that did not happen.
 */
function checkAnnouncement(input: {
  latestPublished: PublishedSibling | null;
  effectiveAt: string;
  today: string;
  reason: string | null;
}): Publication["replacesAnnouncement"] {
  const { latestPublished: latest, effectiveAt, today, reason } = input;
  const collides = latest !== null && latest.effectiveAt > today && latest.effectiveAt === effectiveAt;
  if (!collides) {
    if (reason) {
      throw new Refusal(
        "invalid",
        "there is no upcoming version announced for that effective date: nothing to replace, leave the replacement reason empty",
      );
    }
    return null;
  }
  if (!reason) {
    throw new Refusal(
      "conflict",
      `version ${latest.number} is already announced to take effect on ${effectiveAt}: choose a later effective date, or replace its announcement and say why`,
    );
  }
  if (reason.length > MAX_REASON_LENGTH) {
    throw new Refusal("invalid", `the replacement reason is longer than ${MAX_REASON_LENGTH} characters`);
  }
  return { number: latest.number, effectiveAt: latest.effectiveAt, reason };
}
