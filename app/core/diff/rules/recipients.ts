import { editDistance, RECIPIENT_PATTERNS } from "./facts";
import type { Clause, Report, RuleFactory } from "./rule";

/**
 * Recipients and processors: a company named for the first time (or no longer named anywhere), and
 * a kind of recipient that data is now shared with (or no longer). A company whose name only had a
 * typo fixed is neither added nor removed, which needs every clause: hence `finish`.
 */
export const recipients: RuleFactory = () => {
  const added: Array<[string, Clause, string]> = [];
  const removed: Array<[string, Clause, string]> = [];
  return {
    check(clause, report) {
      const { was, is, before, after } = clause;
      for (const name of is?.recipientCompanies ?? []) {
        if (!was?.companies.has(name) && !before.namesCompany(name))
          added.push([name, clause, is!.shown.get(name)!]);
      }
      for (const name of was?.recipientCompanies ?? []) {
        if (!is?.companies.has(name) && !after.namesCompany(name))
          removed.push([name, clause, was!.shown.get(name)!]);
      }
      for (const category of is?.recipientCategories ?? []) {
        if (was?.recipientCategories.has(category)) continue;
        if (before.has("recipientCategories", category, RECIPIENT_PATTERNS.get(category)!)) continue;
        const shown = is!.shown.get(category)!;
        report("recipient-added", clause, `Data shared with a new kind of recipient: "${shown}"`, [shown]);
      }
      for (const category of was?.recipientCategories ?? []) {
        if (is?.recipientCategories.has(category)) continue;
        if (after.has("recipientCategories", category, RECIPIENT_PATTERNS.get(category)!)) continue;
        const shown = was!.shown.get(category)!;
        report("recipient-removed", clause, `Recipient no longer named: "${shown}"`, [shown]);
      }
    },
    finish(report: Report) {
      const similar = (a: string, b: string) =>
        editDistance(a, b) <= Math.max(1, Math.floor(Math.max(a.length, b.length) / 5));
      for (const [name, clause, shown] of added) {
        if (removed.some(([other]) => similar(name, other))) continue;
        report("recipient-added", clause, `New recipient or processor: "${shown}"`, [shown]);
      }
      for (const [name, clause, shown] of removed) {
        if (added.some(([other]) => similar(name, other))) continue;
        report("recipient-removed", clause, `Recipient or processor no longer named: "${shown}"`, [shown]);
      }
    },
  };
};
