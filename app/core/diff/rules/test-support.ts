// Rules are tested through the whole engine, asserting the exact reasons: a rule that fires where
// another should (or where none should) fails its own test.
import { diffPolicies } from "../diff";
import { markdown } from "../test-support";
import type { MaterialReason } from "../types";

export function reasons(before: string, after: string): MaterialReason[] {
  return diffPolicies(markdown(before), markdown(after)).material.reasons;
}
