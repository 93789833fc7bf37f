import { multisetMinus } from "./facts";
import { describeChange, type RuleFactory } from "./rule";

/**
 * Other numbers in an edited clause (an age, a count, a percentage): dates, cross-references, contact
 * details and links are already left out by the facts, and numbers that moved between clauses too.
 */
export const numbers: RuleFactory = () => ({
  check(clause, report) {
    const { was, is, moved, prefix } = clause;
    if (!was || !is || was.dateline || is.dateline) return;
    const fewer = multisetMinus(was.numbers, is.numbers).filter((n) => !moved.has(`number:${n}`));
    const more = multisetMinus(is.numbers, was.numbers).filter((n) => !moved.has(`number:${n}`));
    if (!fewer.length && !more.length) return;
    report("number-changed", clause, `${prefix}${describeChange("Number", fewer, more)}`, [
      ...fewer,
      ...more,
    ]);
  },
});
