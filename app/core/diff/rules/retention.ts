import { multisetMinus } from "./facts";
import { describeChange, type RuleFactory } from "./rule";

/**
 * Durations: in a retention clause (by its words, section or column) a changed duration is a changed
 * retention period; elsewhere a changed duration in an edited clause is a changed term. Datelines
 * ("Last updated …") and durations that only moved between clauses are not changes.
 */
export const retention: RuleFactory = () => ({
  check(clause, report) {
    const { was, is, moved, prefix } = clause;
    if (was?.dateline || is?.dateline) return;
    const isRetention = Boolean(was?.retention || is?.retention);
    const removed = multisetMinus(was?.durations ?? [], is?.durations ?? []).filter(
      (d) => !moved.has(`duration:${d}`),
    );
    const added = multisetMinus(is?.durations ?? [], was?.durations ?? []).filter(
      (d) => !moved.has(`duration:${d}`),
    );
    if (!removed.length && !added.length) return;
    if (!(was && is) && !isRetention) return;
    const shownRemoved = removed.map((d) => was!.shown.get(`duration:${d}`) ?? d);
    const shownAdded = added.map((d) => is!.shown.get(`duration:${d}`) ?? d);
    report(
      isRetention ? "retention-changed" : "number-changed",
      clause,
      `${prefix}${describeChange(isRetention ? "Retention period" : "Duration", shownRemoved, shownAdded)}`,
      [...shownRemoved, ...shownAdded],
    );
  },
});
