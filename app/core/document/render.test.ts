import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { headingAnchor } from "./anchors";
import { parsePolicy } from "./import";
import { renderPolicy } from "./render";

const md = (source: string) => parsePolicy(source, "markdown").content;

describe("rendering a policy", () => {
  it("gives every heading a stable anchor that the outline links to", () => {
    const { html, outline } = renderPolicy(
      md("## 1. Who We Are\n\ntext\n\n### 1.1 Contact\n\nmore\n\n## 2. Your Rights\n\nend"),
    );
    expect(outline).toEqual([
      { id: "who-we-are", level: 2, text: "1. Who We Are" },
      { id: "contact", level: 3, text: "1.1 Contact" },
      { id: "your-rights", level: 2, text: "2. Your Rights" },
    ]);
    for (const { id } of outline) expect(html).toContain(`id="${id}"`);
  });

  it("keeps an anchor when the section is renumbered", () => {
    expect(headingAnchor("5. Data Sharing")).toBe(headingAnchor("6. Data Sharing"));
    expect(headingAnchor("Section 5: Data Sharing")).toBe("data-sharing");
    expect(headingAnchor("V. Your Rights")).toBe("your-rights");
    expect(headingAnchor("Über uns")).toBe("uber-uns");
  });

  it("makes repeated headings unique", () => {
    const { outline } = renderPolicy(md("## Contact\n\na\n\n## Contact\n\nb\n\n## Contact\n\nc"));
    expect(outline.map((entry) => entry.id)).toEqual(["contact", "contact-2", "contact-3"]);
  });

  it("escapes text so hostile content stays inert", () => {
    // Typed as text (escaped in Markdown), so it reaches the renderer as text, not as markup.
    const { html } = renderPolicy(
      md('## &lt;img src=x onerror=alert(1)>\n\n"&lt;script>alert(1)&lt;/script>'),
    );
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("keeps raw HTML in Markdown as the markup it means, without scripts or event handlers", () => {
    const { html } = renderPolicy(
      md('We <b>never</b> sell data.<script>alert(1)</script>\n\n<div onclick="alert(1)">Contact us</div>'),
    );
    expect(html).toContain("We <strong>never</strong> sell data.");
    expect(html).toContain("<p>Contact us</p>");
    expect(html).not.toMatch(/script|onclick|alert/);
  });

  it("hashes equal content equally, whatever the source format", () => {
    const fromMarkdown = renderPolicy(md("## Rights\n\nYou may **ask** us."));
    const fromHtml = renderPolicy(
      parsePolicy("<h2>Rights</h2><p>You may <strong>ask</strong> us.</p>", "html").content,
    );
    expect(fromHtml.contentHash).toBe(fromMarkdown.contentHash);
    expect(renderPolicy(md("## Rights\n\nYou may ask us.")).contentHash).not.toBe(fromMarkdown.contentHash);
  });

  it("renders the demo policy with its sections, tables and links", () => {
    const { html, text, outline } = renderPolicy(md(readFileSync("content/privacy.md", "utf8")));
    expect(outline.filter((entry) => entry.level === 2).length).toBeGreaterThanOrEqual(10);
    expect(html).toContain("<table");
    expect(html).toMatch(/href="mailto:/);
    expect(text).toContain("Who We Are");
    expect(text).not.toContain("<");
  });
});
