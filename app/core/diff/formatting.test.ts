import { describe, expect, it } from "vitest";
import { diffPolicies } from "./diff";
import { markdown, paragraphs } from "./test-support";

const only = (before: string, after: string) => {
  const blocks = diffPolicies(markdown(before), markdown(after)).blocks.filter(
    (block) => block.change !== "unchanged",
  );
  expect(blocks).toHaveLength(1);
  return blocks[0];
};

describe("formatting-only changes", () => {
  it("flags bold and italic changes", () => {
    expect(only("We keep data for 90 days.", "We keep data for **90 days**.")).toMatchObject({
      change: "modified",
      formattingOnly: true,
      formatting: ["marks"],
      parts: [{ op: "equal", text: "We keep data for 90 days." }],
    });
  });

  it("flags a changed link target with the same text", () => {
    expect(
      only("See our [DPA](https://a.example/dpa).", "See our [DPA](https://a.example/legal/dpa)."),
    ).toMatchObject({
      formattingOnly: true,
      formatting: ["link"],
    });
  });

  it("flags whitespace changes", () => {
    const [block, ...others] = diffPolicies(
      paragraphs("We keep data for 90 days."),
      paragraphs("We keep  data for 90 days. "),
    ).blocks;
    expect(others).toEqual([]);
    expect(block).toMatchObject({
      formattingOnly: true,
      formatting: ["whitespace"],
    });
  });

  it("flags straight and curly quote changes", () => {
    expect(
      only(`The "Service" is our customers' app.`, "The “Service” is our customers’ app."),
    ).toMatchObject({
      formattingOnly: true,
      formatting: ["quotes"],
    });
  });

  it("flags punctuation-only changes", () => {
    expect(
      only("We collect names, emails and addresses.", "We collect names, emails, and addresses!"),
    ).toMatchObject({
      formattingOnly: true,
      formatting: ["punctuation"],
    });
  });

  it("does not treat a changed decimal point as punctuation", () => {
    expect(only("Fees rise by 1.5 percent.", "Fees rise by 15 percent.").formattingOnly).toBe(false);
  });

  it("does not flag a change of wording", () => {
    expect(only("We keep data for 90 days.", "We keep data for 30 days.")).toMatchObject({
      formattingOnly: false,
    });
  });

  it("does not hide a wording change behind a formatting change", () => {
    expect(only("We keep data for 90 days.", "We keep data for **30 days**.").formattingOnly).toBe(false);
  });
});
