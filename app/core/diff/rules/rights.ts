import { RIGHT_NARROWERS, RIGHT_WIDENERS, RIGHTS_SECTION } from "../lexicon";
import { lostPhrases } from "./facts";
import type { RuleFactory } from "./rule";

/** A user right stated fewer times than before, or a right's clause narrowed ("at any time" removed). */
export const rights: RuleFactory = () => ({
  check(clause, report) {
    const { was, is, before, after, change } = clause;
    for (const right of was?.rights ?? []) {
      if (is?.rights.has(right) || after.rightCount(right) >= before.rightCount(right)) continue;
      const shown = was!.shown.get(right)!;
      report("right-removed", clause, `Right no longer stated: ${right} ("${shown}")`, [shown]);
    }
    if (was && is && (was.rights.size > 0 || RIGHTS_SECTION.test(change.section))) {
      const lost = lostPhrases(change.old!.text, change.new!.text, RIGHT_WIDENERS);
      const gained = lostPhrases(change.new!.text, change.old!.text, RIGHT_NARROWERS);
      if (lost.length || gained.length) {
        const what = [...lost.map((p) => `removed "${p}"`), ...gained.map((p) => `added "${p}"`)].join(", ");
        report("right-removed", clause, `Right narrowed: ${what}`, [...lost, ...gained]);
      }
    }
  },
});
