import { ANY_DESTINATION } from "./facts";
import type { RuleFactory } from "./rule";

/** A country or region personal data now goes to that the old version never named in a transfer. */
export const transfers: RuleFactory = () => ({
  check(clause, report) {
    const { was, is, before } = clause;
    for (const place of is?.destinations ?? []) {
      if (was?.destinations.has(place) || before.has("destinations", place, ANY_DESTINATION)) continue;
      const shown = is!.shown.get(place)!;
      report(
        "international-transfer-added",
        clause,
        `Personal data transferred to a new destination: "${shown}"`,
        [shown],
      );
    }
  },
});
