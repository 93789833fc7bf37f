import type { VersionState } from "../../../db/tables";

/** The states in which a version is still being worked on and may change. */
export const OPEN_STATES = ["draft", "in_review", "approved"] as const satisfies readonly VersionState[];
/** The states of a published version, whichever of them is in effect (see ./in-effect.ts). */
export const PUBLIC_STATES = ["published", "superseded"] as const satisfies readonly VersionState[];

/**
 * The database state of a published version that a later publication replaced. Only the workflow's
 * word: the replaced version stays in effect until its successor's effective date comes.
 */
export const REPLACED = "superseded" satisfies VersionState;

export function isPublishedState(state: VersionState): boolean {
  return (PUBLIC_STATES as readonly VersionState[]).includes(state);
}

/** draft → in_review → approved → published → superseded, and in_review → draft (sent back). */
const TRANSITIONS: Record<VersionState, readonly VersionState[]> = {
  draft: ["in_review"],
  in_review: ["draft", "approved"],
  approved: ["published", "draft"],
  published: ["superseded"],
  superseded: [],
};

export function canTransition(from: VersionState, to: VersionState): boolean {
  return TRANSITIONS[from].includes(to);
}
