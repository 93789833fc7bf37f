import { PURPOSE_PATTERNS } from "./facts";
import type { RuleFactory } from "./rule";

/**
 * A purpose of processing the old version never stated (selling data, targeted advertising,
 * training AI models, profiling): "we do not sell" → "we sell" is one; a purpose dropped is not.
 */
export const purposes: RuleFactory = () => ({
  check(clause, report) {
    const { was, is, before } = clause;
    for (const purpose of is?.purposes ?? []) {
      if (was?.purposes.has(purpose)) continue;
      if (before.has("purposes", purpose, PURPOSE_PATTERNS.get(purpose)!)) continue;
      const shown = is!.shown.get(`purpose:${purpose}`)!;
      report("purpose-added", clause, `New purpose of processing: ${purpose} ("${shown}")`, [shown]);
    }
  },
});
