import { describe, expect, it } from "vitest";
import { extractBlocks } from "./blocks";
import { markdown } from "./test-support";

const policy = markdown(`Intro paragraph.

## 5. Data Sharing

We share data with processors.

### 5.1 Service providers

| Provider | Location |
|---|---|
| Acme Hosting GmbH | Germany |

- First item
  - Nested **bold** item

## 6. Contact

> Quoted text

---
`);

describe("blocks", () => {
  const blocks = extractBlocks(policy);

  it("lists headings, paragraphs, list items and table cells in reading order", () => {
    expect(blocks.map((block) => [block.kind, block.text])).toEqual([
      ["paragraph", "Intro paragraph."],
      ["heading", "5. Data Sharing"],
      ["paragraph", "We share data with processors."],
      ["heading", "5.1 Service providers"],
      ["tableHeader", "Provider"],
      ["tableHeader", "Location"],
      ["tableCell", "Acme Hosting GmbH"],
      ["tableCell", "Germany"],
      ["listItem", "First item"],
      ["listItem", "Nested bold item"],
      ["heading", "6. Contact"],
      ["blockquote", "Quoted text"],
    ]);
  });

  it("gives each block the chain of headings above it as its section path", () => {
    expect(blocks[0].section).toBe("Introduction");
    expect(blocks[2].section).toBe("5. Data Sharing");
    expect(blocks[6].section).toBe("5. Data Sharing › 5.1 Service providers");
    expect(blocks[11].section).toBe("6. Contact");
  });

  it("anchors sections like the public page, without their numbers", () => {
    expect(blocks[2].anchor).toBe("data-sharing");
    expect(blocks[7].anchor).toBe("service-providers");
    expect(blocks[0].anchor).toBeUndefined();
  });

  it("keeps a table cell's row and column so it can be read alone", () => {
    expect(blocks[7]).toMatchObject({ row: "Acme Hosting GmbH", column: "Location" });
    expect(blocks[6]).toMatchObject({ column: "Provider" });
    expect(blocks[6].row).toBeUndefined();
  });

  it("matches renumbered headings and formatting changes by the same key", () => {
    const [renumbered] = extractBlocks(markdown("## 6. Data  Sharing")).filter(
      (block) => block.kind === "heading",
    );
    expect(renumbered.matchKey).toBe(blocks[1].matchKey);
    expect(renumbered.signature).not.toBe(blocks[1].signature);
  });

  it("records marks in the signature so a bold change is not an unchanged block", () => {
    const plain = extractBlocks(markdown("- Nested bold item"))[0];
    expect(plain.text).toBe(blocks[9].text);
    expect(plain.signature).not.toBe(blocks[9].signature);
  });
});
