import type { Role, VersionState } from "../../../db/tables";
import { addDays, isIsoDate } from "../dates";
import { Refusal } from "../refusal";
import { canTransition } from "./workflow";

/** The steps people take in the workspace, in order. */
export type ReviewStep = "submit" | "approve" | "send-back";

const STEP_TARGET: Record<ReviewStep, VersionState> = {
  submit: "in_review",
  approve: "approved",
  "send-back": "draft",
};

const STATE_WORDS: Record<VersionState, string> = {
  draft: "a draft",
  in_review: "in review",
  approved: "approved",
  published: "published",
  superseded: "superseded",
};

/** The state a version moves to; refused (conflict) when the step does not apply to its state. */
export function nextState(step: ReviewStep, state: VersionState): VersionState {
  const target = STEP_TARGET[step];
  // "send back" only undoes a review; the workflow's draft ← approved edge is for the same purpose.
  const allowed =
    step === "send-back" ? state === "in_review" || state === "approved" : canTransition(state, target);
  if (!allowed) {
    const verb = { submit: "submitted for review", approve: "approved", "send-back": "sent back" }[step];
    throw new Refusal("conflict", `this version is ${STATE_WORDS[state]}, so it cannot be ${verb}`);
  }
  return target;
}

/**
 * Four eyes: nobody approves a draft they wrote. An author is anyone who saved a revision of the
 * draft (including the person who created it).
 */
export function checkFourEyes({
  approverId,
  authorIds,
}: {
  approverId: number;
  authorIds: Iterable<number>;
}) {
  for (const id of authorIds) {
    if (id === approverId) {
      throw new Refusal(
        "conflict",
        "you saved a revision of this draft, so another approver must approve it (four eyes)",
      );
    }
  }
}

const MAX_COMMENT_LENGTH = 5000;

/** A send-back must say what to change; returns the trimmed comment. */
export function checkSendBackComment(comment: string | null | undefined): string {
  const trimmed = comment?.trim() ?? "";
  if (!trimmed)
    throw new Refusal("invalid", "say what needs to change: a comment is required to send a draft back");
  if (trimmed.length > MAX_COMMENT_LENGTH) {
    throw new Refusal("invalid", `the comment is longer than ${MAX_COMMENT_LENGTH} characters`);
  }
  return trimmed;
}

/**
 * Optimistic concurrency: a save or a submission names the revision it was based on; when someone
 * saved in between, the request is refused instead of overwriting their change.
 */
export function checkRevision({ expected, current }: { expected: number; current: number }) {
  if (expected !== current) {
    throw new Refusal(
      "conflict",
      `this draft was changed by someone else since you opened it (your copy is revision ${expected}, the draft is at revision ${current})`,
    );
  }
}

export type NoticeDecision = {
  /** The earliest effective date a material change may have without an override. */
  earliestEffective: string;
  /** True when an admin shortened the notice period; `reason` says why. */
  overridden: boolean;
  reason: string | null;
};

/**
 * The workspace's publishing rule for dates: nothing takes effect in the past, and a material change
 * takes effect at least `noticePeriodDays` after today unless an admin overrides and gives a reason.
 */
export function checkNoticePeriod(input: {
  material: boolean;
  effectiveAt: string;
  today: string;
  noticePeriodDays: number;
  role: Role;
  overrideReason?: string | null;
}): NoticeDecision {
  const { material, effectiveAt, today, noticePeriodDays, role } = input;
  if (!isIsoDate(effectiveAt)) throw new Refusal("invalid", `effective date "${effectiveAt}" is not a date`);
  if (effectiveAt < today) throw new Refusal("invalid", `the effective date ${effectiveAt} is in the past`);
  const earliestEffective = addDays(today, noticePeriodDays);
  if (!material || effectiveAt >= earliestEffective) {
    return { earliestEffective, overridden: false, reason: null };
  }
  if (role !== "admin") {
    throw new Refusal(
      "invalid",
      `a material change takes effect at least ${noticePeriodDays} days after publication (on or after ${earliestEffective}); only an admin can shorten the notice period`,
    );
  }
  const reason = input.overrideReason?.trim() ?? "";
  if (!reason) {
    throw new Refusal(
      "invalid",
      `the effective date is before ${earliestEffective}: give a reason for shortening the notice period`,
    );
  }
  if (reason.length > MAX_COMMENT_LENGTH) {
    throw new Refusal("invalid", `the reason is longer than ${MAX_COMMENT_LENGTH} characters`);
  }
  return { earliestEffective, overridden: true, reason };
}
