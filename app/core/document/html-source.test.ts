import { Window } from "happy-dom";
import { describe, expect, it } from "vitest";
import { htmlTextDecoder, prepareHtml } from "./html-source";

const decode = htmlTextDecoder(new new Window().DOMParser() as unknown as DOMParser);
const read = (html: string) => prepareHtml(html, { decode });

describe("reading HTML as its author sees it", () => {
  it("passes on the markup it keeps and collects the visible text with its lines", () => {
    const prepared = read('<p class="a">Caf&eacute; &amp;\nbar</p>\n<!-- x -->\n<p>a < b</p>');
    expect(prepared.html).toBe('<p class="a">Caf&eacute; &amp;\nbar</p>\n\n<p>a &lt; b</p>');
    expect(prepared.texts.map(({ text, line }) => [text, line])).toEqual([
      ["Café &\nbar", 1],
      ["a < b", 4],
    ]);
  });

  it("keeps the text of textarea and xmp as text, and everything after <plaintext> as text", () => {
    expect(read("<textarea>1 &lt; 2</textarea><xmp><b>&amp;</b></xmp>").texts.map((t) => t.text)).toEqual([
      "1 < 2",
      "<b>&amp;</b>",
    ]);
    expect(read("<p>a</p><plaintext><p>b").html).toBe("<p>a</p><pre>&lt;p>b</pre>");
  });

  it("ends an SVG where the HTML standard does: at its end tag, an HTML tag or an enclosing end tag", () => {
    expect(read("<p>A<svg><g></g></svg>B</p>").html).toBe("<p>AB</p>");
    expect(read("<p>A<svg><path/><p>B</p>").html).toBe("<p>A<p>B</p>");
    expect(read("<div>A<svg><path/></div>B").html).toBe("<div>A</div>B");
  });

  // A hang guard, not a benchmark: a tokenizer that rescans needs minutes on these; this one, milliseconds.
  it.each([
    ["unclosed quotes", '<a x="'.repeat(40_000)],
    ["a sea of <", "<".repeat(200_000)],
    ["open tags", "<b>".repeat(70_000)],
    ["nested SVG groups", `<p>x<svg>${"<g>".repeat(60_000)}</svg>y</p>`],
    ["stray SVG end tags", `<p>x<svg>${"</g>".repeat(50_000)}</svg>y</p>`],
    ["nested fallback content", `<p>x<video>${"<div>".repeat(40_000)}</video>y</p>`],
    ["attributes", `<p ${"a=b ".repeat(50_000)}>x</p>`],
    ["closed scripts", "<script>a</script>".repeat(12_000)],
    ["unclosed scripts", "<script>".repeat(25_000)],
    ["many mains", "<main>".repeat(35_000)],
  ])("reads %s in linear time", { timeout: 20_000 }, (_name, html) => {
    try {
      read(html);
    } catch (error) {
      expect((error as Error).name).toBe("PolicyImportError");
    }
  });
});
