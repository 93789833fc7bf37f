import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePolicy, policyText } from "../document";
import { diffPolicies } from "./diff";

type ExpectedReason = { kind: string; section: string; detail: string };
type Expected = { material: boolean; why: string; reasons: ExpectedReason[]; source?: string };

// Two sets: edits of a realistic policy written for the tests, and excerpts of real consecutive
// versions of public policies (each names its source in expected.json).
const SETS = [
  {
    name: "realistic version pairs",
    root: join(import.meta.dirname, "../../../test/fixtures/diff"),
    min: 12,
  },
  {
    name: "real policy changes",
    root: join(import.meta.dirname, "../../../test/fixtures/diff-real"),
    min: 5,
  },
];

const collapse = (text: string) => text.replace(/\s+/g, " ");
const order = (reasons: ExpectedReason[]) =>
  reasons.map((reason) => JSON.stringify([reason.kind, reason.section, reason.detail])).sort();

for (const set of SETS) {
  const pairs = existsSync(set.root)
    ? readdirSync(set.root, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : [];
  const read = (name: string, file: string) => readFileSync(join(set.root, name, file), "utf8");

  describe(`materiality suggestions on ${set.name}`, () => {
    it(`has at least ${set.min} pairs, material and not`, () => {
      const expectations = pairs.map((name) => JSON.parse(read(name, "expected.json")) as Expected);
      expect(pairs.length).toBeGreaterThanOrEqual(set.min);
      expect(expectations.some((expected) => expected.material)).toBe(true);
      expect(expectations.some((expected) => !expected.material)).toBe(true);
    });

    for (const name of pairs) {
      it(`suggests exactly the reasons expected.json lists for ${name}`, () => {
        const expected = JSON.parse(read(name, "expected.json")) as Expected;
        const before = parsePolicy(read(name, "old.md"), "markdown").content;
        const after = parsePolicy(read(name, "new.md"), "markdown").content;
        const diff = diffPolicies(before, after);
        const found = diff.material.reasons;
        // The exact set: a missing reason fails, and so does a spurious extra one.
        expect(order(found), `${expected.why}\n${JSON.stringify(found, null, 2)}`).toEqual(
          order(expected.reasons),
        );
        expect(diff.material.suggested).toBe(expected.material);
        // Quoted as a reader sees the text: every word quoted is in one of the rendered versions.
        const rendered = `${collapse(policyText(before))}\n${collapse(policyText(after))}`;
        for (const reason of found) {
          expect(reason.section.trim(), `${reason.kind} names no section`).not.toBe("");
          expect(reason.words.length, `${reason.kind} names no words`).toBeGreaterThan(0);
          for (const word of reason.words) expect(rendered).toContain(collapse(word));
          expect(reason.detail).not.toContain("(none)");
        }
        for (const section of diff.stats.sectionsChanged) expect(section.trim()).not.toBe("");
      });
    }
  });
}
