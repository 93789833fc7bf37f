import { Window } from "happy-dom";
import { describe, expect, it } from "vitest";
import { diffPolicies } from "./diff";
import { renderDiffHtml } from "./render-html";
import { literally, markdown } from "./test-support";

const html = (before: string, after: string) =>
  renderDiffHtml(diffPolicies(markdown(before), markdown(after)));

describe("redline HTML", () => {
  it("marks insertions and deletions with ins and del", () => {
    const out = html(
      "## 7. Retention\n\nWe keep logs for 12 months.",
      "## 7. Retention\n\nWe keep logs for 18 months.",
    );
    expect(out).toContain("We keep logs for <del>12</del><ins>18</ins> months.");
    expect(out).toMatch(/^<div class="redline">/);
    expect(out).not.toMatch(/<html|<body/);
  });

  it("gives section headings the public page's anchors", () => {
    const out = html("## 7. Retention\n\nText.", "## 8. Retention\n\nText.");
    expect(out).toContain(
      '<h2 class="redline-block redline-modified redline-heading redline-formatting-only" id="retention"',
    );
  });

  it("links both halves of a move with markers", () => {
    const before = "## A\n\nThe clause that moves between sections.\n\n## B\n\nOther text here.";
    const after = "## A\n\n## B\n\nOther text here.\n\nThe clause that moves between sections.";
    const out = html(before, after);
    expect(out).toContain('id="moved-from-1"');
    expect(out).toContain('<a href="#moved-to-1">Moved to B</a>');
    expect(out).toContain('id="moved-to-1"');
    expect(out).toContain('<a href="#moved-from-1">Moved from A</a>');
  });

  it("lets readers hide formatting-only changes", () => {
    expect(html("Text with *emphasis*.", "Text with **emphasis**.")).toContain('data-formatting-only="true"');
  });

  it("escapes every piece of hostile policy text", () => {
    const hostile = [
      'Before <script>alert(1)</script> & "quotes"',
      "<img src=x onerror=alert(1)>",
      '"onerror="alert(1)',
      "'><svg onload=alert(1)>",
    ];
    const before = `## <b>Section</b> "x" onmouseover="y\n\n${hostile[0]}\n\n| <i>cell</i> | x |\n|---|---|\n| "onerror= | <b> |`;
    const after = `## <b>Section</b> "x" onmouseover="z\n\n${hostile.join(" ")}\n\nNew ${hostile[3]}\n\n| <i>cell</i> | y |\n|---|---|\n| "onerror= | <b> |`;
    const out = html(literally(before), literally(after));
    const window = new Window();
    const container = window.document.createElement("div");
    container.innerHTML = out;
    const elements = [...container.querySelectorAll("*")];
    expect(new Set(elements.map((element) => element.tagName.toLowerCase()))).toEqual(
      new Set(["div", "h2", "p", "ins", "del", "span"]),
    );
    const attributes = elements.flatMap((element) =>
      [...element.attributes].map((attribute) => attribute.name),
    );
    expect(attributes.filter((name) => !["class", "id"].includes(name) && !name.startsWith("data-"))).toEqual(
      [],
    );
    for (const piece of hostile) expect(container.textContent).toContain(piece);
    window.close();
  });
});
