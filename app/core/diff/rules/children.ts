import { multisetMinus } from "./facts";
import { describeChange, type RuleFactory } from "./rule";

/**
 * An age limit changed in a clause about children ("under the age of 18" → "16"): who may use the
 * service, or whose data needs a parent's consent. Reported as a minimum age, not as a number.
 */
export const children: RuleFactory = () => ({
  check(clause, report) {
    const { was, is, moved, prefix } = clause;
    if (!was || !is) return;
    const removed = multisetMinus(was.ages, is.ages).filter((age) => !moved.has(`age:${age}`));
    const added = multisetMinus(is.ages, was.ages).filter((age) => !moved.has(`age:${age}`));
    if (!removed.length && !added.length) return;
    report("minimum-age-changed", clause, `${prefix}${describeChange("Minimum age", removed, added)}`, [
      ...removed,
      ...added,
    ]);
  },
});
