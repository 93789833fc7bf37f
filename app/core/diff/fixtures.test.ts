import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../document";
import { diffPolicies } from "./diff";

type Expected = { material: boolean; kinds: string[]; why: string };

const root = join(import.meta.dirname, "../../../test/fixtures/diff");
const pairs = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const read = (name: string, file: string) => readFileSync(join(root, name, file), "utf8");

describe("materiality suggestions on realistic version pairs", () => {
  it("has at least twelve pairs, material and not", () => {
    const expectations = pairs.map((name) => JSON.parse(read(name, "expected.json")) as Expected);
    expect(pairs.length).toBeGreaterThanOrEqual(12);
    expect(expectations.some((expected) => expected.material)).toBe(true);
    expect(expectations.some((expected) => !expected.material)).toBe(true);
  });

  for (const name of pairs) {
    it(`suggests what expected.json says for ${name}`, () => {
      const expected = JSON.parse(read(name, "expected.json")) as Expected;
      const diff = diffPolicies(
        parsePolicy(read(name, "old.md"), "markdown").content,
        parsePolicy(read(name, "new.md"), "markdown").content,
      );
      const kinds = diff.material.reasons.map((reason) => reason.kind);
      expect({ suggested: diff.material.suggested, reasons: diff.material.reasons }).toMatchObject({
        suggested: expected.material,
      });
      for (const kind of expected.kinds)
        expect(kinds, `${expected.why}\n${JSON.stringify(diff.material.reasons, null, 2)}`).toContain(kind);
      for (const reason of diff.material.reasons) {
        expect(reason.section, `${reason.kind} names no section`).toEqual(expect.any(String));
        expect(reason.words.length, `${reason.kind} names no words`).toBeGreaterThan(0);
      }
    });
  }
});
