import { describe, expect, it } from "vitest";
import { markdown } from "../core/diff/test-support";
import type { DiffBlock } from "../core/diff/types";
import { documentBlocks, pdfFileName, redlineBlocks, safeLink, unsupportedScript } from "./layout";

describe("documentBlocks", () => {
  it("keeps headings (5 and 6 drawn as 4), paragraphs with their marks, and lists with their markers", () => {
    const blocks = documentBlocks(
      markdown(
        "Intro.\n\n## Title\n\n###### Deep\n\nSome **bold**, *italic*, ~~struck~~ and `code`.\n\n- one\n- two\n  1. nested\n\n3. three\n4. four\n",
      ),
    );
    blocks.shift();
    expect(blocks[0]).toEqual({ kind: "heading", level: 2, runs: [{ text: "Title" }] });
    expect(blocks[1]).toMatchObject({ kind: "heading", level: 4 });
    expect(blocks[2]).toEqual({
      kind: "paragraph",
      indent: 0,
      quote: false,
      runs: [
        { text: "Some " },
        { text: "bold", bold: true },
        { text: ", " },
        { text: "italic", italic: true },
        { text: ", " },
        { text: "struck", strike: true },
        { text: " and " },
        { text: "code", code: true },
        { text: "." },
      ],
    });
    const items = blocks
      .slice(3)
      .map((b) => (b.kind === "paragraph" ? [b.marker, b.indent, b.runs[0]?.text] : b.kind));
    expect(items).toEqual([
      ["•", 1, "one"],
      ["•", 1, "two"],
      ["1.", 2, "nested"],
      ["3.", 1, "three"],
      ["4.", 1, "four"],
    ]);
  });

  it("keeps links only to web pages and email addresses", () => {
    const doc = {
      type: "doc",
      content: [
        {
          type: "paragraph",
          content: [
            {
              type: "text",
              text: "site",
              marks: [{ type: "link", attrs: { href: "https://example.com/a" } }],
            },
            {
              type: "text",
              text: " mail",
              marks: [{ type: "link", attrs: { href: "mailto:dpo@example.com" } }],
            },
            {
              type: "text",
              text: " evil",
              marks: [{ type: "link", attrs: { href: "javascript:alert(1)" } }],
            },
            { type: "text", text: " file", marks: [{ type: "link", attrs: { href: "file:///etc/passwd" } }] },
            { type: "text", text: " local", marks: [{ type: "link", attrs: { href: "/policies/cookies" } }] },
          ],
        },
      ],
    };
    const [block] = documentBlocks(doc);
    expect(block.kind === "paragraph" && block.runs).toEqual([
      { text: "site", link: "https://example.com/a" },
      { text: " mail", link: "mailto:dpo@example.com" },
      { text: " evil file local" },
    ]);
  });

  it("reads tables row by row, header row marked, and quotes indented", () => {
    const blocks = documentBlocks(
      markdown("| Provider | Where |\n| --- | --- |\n| Cumulus | Frankfurt |\n\n> Quoted words\n"),
    );
    expect(blocks[0]).toEqual({
      kind: "table",
      rows: [
        { header: true, cells: [[{ text: "Provider" }], [{ text: "Where" }]] },
        { header: false, cells: [[{ text: "Cumulus" }], [{ text: "Frankfurt" }]] },
      ],
    });
    expect(blocks[1]).toMatchObject({
      kind: "paragraph",
      indent: 1,
      quote: true,
      runs: [{ text: "Quoted words" }],
    });
  });
});

describe("redlineBlocks", () => {
  const block = (parts: DiffBlock["parts"], extra: Partial<DiffBlock> = {}): DiffBlock => ({
    change: "modified",
    formattingOnly: false,
    section: "2. Data",
    parts,
    kind: "paragraph",
    ...extra,
  });

  it("marks added text [+ … ] and removed text [− … ], spaces outside the brackets", () => {
    const [result] = redlineBlocks([
      block([
        { op: "equal", text: "We keep data for " },
        { op: "delete", text: "24 months " },
        { op: "insert", text: "36 months " },
        { op: "equal", text: "after you leave." },
        { op: "insert", text: "  " },
      ]),
    ]);
    expect(result).toEqual({
      kind: "paragraph",
      indent: 0,
      runs: [
        { text: "We keep data for " },
        { text: "[− 24 months ]", change: "delete" },
        { text: " " },
        { text: "[+ 36 months ]", change: "insert" },
        { text: " after you leave.  " },
      ],
    });
  });

  it("names moves, formatting changes and a table cell's row and column", () => {
    const blocks = redlineBlocks([
      block([{ op: "equal", text: "Moved words" }], {
        change: "moved",
        move: "to",
        moveId: 1,
        oldSection: "1. Old",
      }),
      block([{ op: "equal", text: "Bold now" }], { formattingOnly: true, formatting: ["marks"] }),
      block([{ op: "insert", text: "Paris" }], { kind: "tableCell", row: "Cumulus", column: "Location" }),
      block([{ op: "equal", text: "3. Rights" }], { kind: "heading", level: 2, change: "unchanged" }),
      block([{ op: "equal", text: "Location" }], { kind: "tableHeader", change: "unchanged" }),
    ]);
    expect(blocks[4]).toMatchObject({ runs: [{ text: "Location", bold: true }] });
    expect(blocks[0]).toMatchObject({ note: "Moved from 1. Old" });
    expect(blocks[1]).toMatchObject({ note: "Formatting only: marks" });
    expect(blocks[2]).toMatchObject({
      runs: [
        { text: "Cumulus · Location: ", italic: true },
        { text: "[+ Paris ]", change: "insert" },
      ],
    });
    expect(blocks[3]).toEqual({ kind: "heading", level: 2, runs: [{ text: "3. Rights" }] });
  });
});

describe("safeLink", () => {
  it.each([
    ["https://example.com", "https://example.com/"],
    ["HTTP://EXAMPLE.COM/x", "http://example.com/x"],
    ["mailto:a@b.example", "mailto:a@b.example"],
    ["javascript:alert(1)", undefined],
    ["data:text/html,hi", undefined],
    ["#contact", undefined],
    [42, undefined],
  ])("%s → %s", (href, expected) => expect(safeLink(href)).toBe(expected));
});

describe("unsupportedScript", () => {
  it("lets Latin, Greek and Cyrillic text through", () => {
    expect(
      unsupportedScript("Datenschutzerklärung — Política de privacidad — Πολιτική — Политика ✓ € “”"),
    ).toBeNull();
  });
  it.each([
    ["プライバシーポリシー", "Chinese, Japanese or Korean"],
    ["隐私政策", "Chinese, Japanese or Korean"],
    ["개인정보 처리방침", "Chinese, Japanese or Korean"],
    ["سياسة الخصوصية", "Arabic"],
    ["מדיניות פרטיות", "Hebrew"],
    ["गोपनीयता नीति", "Indic"],
    ["นโยบายความเป็นส่วนตัว", "South-East Asian"],
    ["ᏣᎳᎩ", "another writing system"],
  ])("refuses %s (%s)", (text, name) => expect(unsupportedScript(`Policy: ${text}`)).toBe(name));
});

describe("pdfFileName", () => {
  it("names the organisation, the policy and the versions", () => {
    expect(pdfFileName({ organisation: "Acme Ltd.", slug: "privacy", versions: [3] })).toBe(
      "acme-ltd-privacy-v3.pdf",
    );
    expect(
      pdfFileName({ organisation: "Société Générale", slug: "privacy", locale: "fr", versions: [2, 3] }),
    ).toBe("societe-generale-privacy-fr-v2-v3-redline.pdf");
    expect(pdfFileName({ organisation: "", slug: "cookies", versions: [1] })).toBe("cookies-v1.pdf");
  });
});
