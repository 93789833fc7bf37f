import { describe, expect, it } from "vitest";
import { diffPolicies } from "./diff";
import { markdown, rebuilt } from "./test-support";

const oldPolicy = `## 1. Introduction

This policy explains how we handle personal data.

## 2. Data We Collect

We collect your name and email address when you register.

We collect usage data when you use the app.

## 3. Data Sharing

We share data with our hosting provider.

## 4. Contact

Write to privacy@example.com with any questions.
`;

const diffOf = (before: string, after: string) => diffPolicies(markdown(before), markdown(after));
const changed = (before: string, after: string) =>
  diffOf(before, after).blocks.filter((block) => block.change !== "unchanged");

describe("block alignment", () => {
  it("reports identical documents as unchanged blocks only", () => {
    const diff = diffOf(oldPolicy, oldPolicy);
    expect(diff.blocks.every((block) => block.change === "unchanged")).toBe(true);
    expect(diff.stats).toEqual({ wordsAdded: 0, wordsRemoved: 0, blocksChanged: 0, sectionsChanged: [] });
  });

  it("reports an edited paragraph as modified with a word-level diff", () => {
    const blocks = changed(
      oldPolicy,
      oldPolicy.replace("with our hosting provider", "with our cloud hosting provider"),
    );
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({
      change: "modified",
      section: "3. Data Sharing",
      parts: [
        { op: "equal", text: "We share data with our " },
        { op: "insert", text: "cloud " },
        { op: "equal", text: "hosting provider." },
      ],
    });
  });

  it("reports new and removed paragraphs as inserted and deleted", () => {
    const after = oldPolicy
      .replace("We collect usage data when you use the app.\n", "")
      .replace("## 4. Contact", "We also share data with our payment processor.\n\n## 4. Contact");
    const blocks = changed(oldPolicy, after);
    expect(blocks.map((block) => [block.change, block.section])).toEqual([
      ["deleted", "2. Data We Collect"],
      ["inserted", "3. Data Sharing"],
    ]);
  });

  it("reports a clause moved to another section as moved, with its old and new section", () => {
    const after = oldPolicy
      .replace("We collect usage data when you use the app.\n", "")
      .replace("## 4. Contact", "We collect usage data when you use the app.\n\n## 4. Contact");
    const blocks = changed(oldPolicy, after);
    expect(blocks.map((block) => block.change)).toEqual(["moved", "moved"]);
    expect(blocks.map((block) => block.move)).toEqual(["from", "to"]);
    for (const block of blocks) {
      expect(block).toMatchObject({
        section: "3. Data Sharing",
        oldSection: "2. Data We Collect",
        moveId: 1,
      });
    }
    expect(blocks[1].edits).toEqual([{ op: "equal", text: "We collect usage data when you use the app." }]);
    expect(blocks.some((block) => block.change === "deleted" || block.change === "inserted")).toBe(false);
  });

  it("shows the word changes of a clause that was moved and edited", () => {
    const after = oldPolicy
      .replace("We collect usage data when you use the app.\n", "")
      .replace("## 4. Contact", "We collect anonymous usage data when you use the app.\n\n## 4. Contact");
    const [, arrived] = changed(oldPolicy, after);
    expect(arrived).toMatchObject({ change: "moved", move: "to" });
    expect(arrived.edits).toContainEqual({ op: "insert", text: "anonymous " });
  });

  it("matches renumbered headings as the same section", () => {
    const after = oldPolicy
      .replace("## 2. Data We Collect", "## 3. Data We Collect")
      .replace("## 3. Data Sharing", "## 4. Data Sharing");
    const blocks = changed(oldPolicy, after);
    expect(blocks.map((block) => [block.change, block.formattingOnly, block.formatting])).toEqual([
      ["modified", true, ["numbering"]],
      ["modified", true, ["numbering"]],
    ]);
    const diff = diffOf(oldPolicy, after);
    const paragraph = diff.blocks.find((block) => block.parts[0]?.text.startsWith("We share data"));
    expect(paragraph).toMatchObject({
      change: "unchanged",
      section: "4. Data Sharing",
      oldSection: "3. Data Sharing",
    });
  });

  it("reports swapped sections as a move, never as deletions and insertions", () => {
    const sections = oldPolicy.split(/(?=^## )/m);
    const after = [sections[0], sections[2], sections[1], sections[3]].join("");
    const blocks = changed(oldPolicy, after);
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.every((block) => block.change === "moved")).toBe(true);
  });

  it("rebuilds both texts from the parts of every kind of change", () => {
    const after = oldPolicy
      .replace("We collect usage data when you use the app.\n", "")
      .replace("hosting provider", "hosting and email providers")
      .replace(
        "## 4. Contact",
        "We collect usage data when you use the app.\n\nNew paragraph.\n\n## 5. Contact",
      );
    const diff = diffOf(oldPolicy, after);
    expect(rebuilt(diff, "old")).toBe(rebuilt(diffOf(oldPolicy, oldPolicy), "old"));
    expect(rebuilt(diff, "new")).toBe(rebuilt(diffOf(after, after), "new"));
  });
});
