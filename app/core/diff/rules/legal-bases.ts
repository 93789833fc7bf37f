import { describeChange, type RuleFactory } from "./rule";

/**
 * The legal basis of a clause, compared clause by clause: the same basis is named in many places, so
 * "mentioned elsewhere" says nothing. Bases that only moved to another clause are not a change.
 */
export const legalBases: RuleFactory = () => ({
  check(clause, report) {
    const { was, is, moved } = clause;
    if (!was || !is) return;
    const removed = [...was.bases].filter((basis) => !is.bases.has(basis) && !moved.has(`basis:${basis}`));
    const added = [...is.bases].filter((basis) => !was.bases.has(basis) && !moved.has(`basis:${basis}`));
    if (!removed.length && !added.length) return;
    // Quoted as the clause words it ("Article 6(1)(f)", "legitimate interest"), not by our category name.
    const shownRemoved = removed.map((basis) => was.shown.get(`basis:${basis}`) ?? basis);
    const shownAdded = added.map((basis) => is.shown.get(`basis:${basis}`) ?? basis);
    report("legal-basis-changed", clause, describeChange("Legal basis", shownRemoved, shownAdded), [
      ...shownRemoved,
      ...shownAdded,
    ]);
  },
});
