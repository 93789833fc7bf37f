import type { VersionState } from "../../../db/schema";

/** The states in which a version is still being worked on and may change. */
export const OPEN_STATES = ["draft", "in_review", "approved"] as const satisfies readonly VersionState[];
export const PUBLIC_STATES = ["published", "superseded"] as const satisfies readonly VersionState[];

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
