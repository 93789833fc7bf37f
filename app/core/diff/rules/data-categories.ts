import { CATEGORY_PATTERNS } from "./facts";
import type { RuleFactory } from "./rule";

/** A category of personal data the old version never mentioned (precise location, health, …). */
export const dataCategories: RuleFactory = () => ({
  check(clause, report) {
    const { was, is, before } = clause;
    for (const category of is?.dataCategories ?? []) {
      if (was?.dataCategories.has(category)) continue;
      if (before.has("dataCategories", category, CATEGORY_PATTERNS.get(category)!)) continue;
      const shown = is!.shown.get(category)!;
      report("data-category-added", clause, `New category of personal data: ${category} ("${shown}")`, [
        shown,
      ]);
    }
  },
});
