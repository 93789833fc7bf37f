import { describe, expect, it } from "vitest";
import { splitFrontMatter } from "./front-matter";
import { parsePolicy } from "./import";

const GITHUB_STYLE = [
  "---",
  "title: GitHub Privacy Statement",
  "redirect_from:",
  "  - /privacy",
  "  - /privacy-policy",
  "versions:",
  "  fpt: '*'",
  "---",
  "",
  "Effective date: October 10, 2023",
  "",
  "## The short version",
  "",
  "We collect as little as we can.",
].join("\n");

describe("front matter", () => {
  it("is metadata: the title is taken from it and none of it reaches the text", () => {
    const parsed = parsePolicy(GITHUB_STYLE, "markdown");
    expect(parsed.title).toBe("GitHub Privacy Statement");
    const text = JSON.stringify(parsed.content);
    expect(text).not.toContain("redirect_from");
    expect(text).not.toContain("/privacy-policy");
    expect(text).toContain("Effective date: October 10, 2023");
    expect(parsed.content.content?.[0]).toMatchObject({ type: "paragraph" });
  });

  it("gives the dates it names, as written", () => {
    const split = splitFrontMatter("---\nlast_updated: 2023-05-04\neffective_date: 5 June 2023\n---\nText");
    expect(split.frontMatter).toEqual({ title: null, lastUpdated: "2023-05-04", effectiveAt: "5 June 2023" });
  });

  it("keeps line numbers, so a refusal still names the right Markdown line", () => {
    const split = splitFrontMatter("---\ntitle: A\n---\nfirst line of text");
    expect(split.body.split("\n").indexOf("first line of text")).toBe(3);
  });

  it("leaves a block that is not a YAML mapping in the text (a rule and a heading underline)", () => {
    const source = "---\nJust a sentence between two rules\n---\n\nMore text.";
    expect(splitFrontMatter(source)).toEqual({ body: source, frontMatter: null });
  });

  it("leaves an unclosed block in the text", () => {
    const source = "---\ntitle: never closed\n\nText.";
    expect(splitFrontMatter(source).frontMatter).toBeNull();
  });

  it("keeps a first heading that differs from the front matter's title as text", () => {
    const parsed = parsePolicy("---\ntitle: Privacy\n---\n# Cookies\n\nWe set two.", "markdown");
    expect(parsed.title).toBe("Privacy");
    expect(parsed.content.content?.[0]).toMatchObject({ type: "heading", attrs: { level: 1 } });
  });

  it("is read in HTML files too (Jekyll keeps it there)", () => {
    const parsed = parsePolicy("---\ntitle: Privacy\n---\n<p>We keep little.</p>", "html");
    expect(parsed.title).toBe("Privacy");
    expect(JSON.stringify(parsed.content)).not.toContain("title:");
  });
});
