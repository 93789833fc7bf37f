import { contactFilter } from "./facts";
import { describeChange, type RuleFactory } from "./rule";

/**
 * Who is responsible and how to reach them: addresses, emails, phone numbers, company numbers, and
 * companies named in a "who we are" or "contact us" clause. A controller clause makes it a change of
 * controller details.
 */
export const contacts: RuleFactory = () => ({
  check(clause, report) {
    const { was, is, before, after } = clause;
    const removed = [...(was?.contacts ?? [])].filter(
      (c) => !is?.contacts.has(c) && (is || !after.has("contacts", c, contactFilter(c))),
    );
    const added = [...(is?.contacts ?? [])].filter(
      (c) => !was?.contacts.has(c) && (was || !before.has("contacts", c, contactFilter(c))),
    );
    if (!removed.length && !added.length) return;
    const controller = Boolean(was?.controller || is?.controller);
    const shownRemoved = removed.map((c) => was!.shown.get(c) ?? c);
    const shownAdded = added.map((c) => is!.shown.get(c) ?? c);
    report(
      controller ? "controller-changed" : "contact-changed",
      clause,
      describeChange(controller ? "Controller details" : "Contact details", shownRemoved, shownAdded),
      [...shownRemoved, ...shownAdded],
    );
  },
});
