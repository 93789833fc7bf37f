import { Window } from "happy-dom";
import { describe, expect, it } from "vitest";
import { judgePaste, preparePaste } from "./paste-check";

const parser = () => new new Window().DOMParser() as unknown as DOMParser;

describe("pasting HTML into the editor", () => {
  it("cuts what the importer leaves out before the editor parses the paste, and says what it was", () => {
    const { html, check } = preparePaste(
      '<meta charset="utf-8"><p>We use <svg><path d="M0"/></svg> cookies.<script>x()</script></p><img alt="chart">',
      parser(),
    );
    expect(html).toBe('<meta charset="utf-8"><p>We use  cookies.</p>');
    expect(judgePaste(check, "We use cookies.")).toEqual({
      allow: true,
      message: 'Pasted. Left out on purpose: 1 inline SVG image; 1 script; 1 image (alt text: "chart").',
    });
  });

  it("lets a paste with nothing left out go in without a message", () => {
    const { check } = preparePaste(
      "<!--StartFragment--><p>Plain <b>words</b>.</p><!--EndFragment-->",
      parser(),
    );
    expect(judgePaste(check, "Plain words.")).toEqual({ allow: true, message: null });
    expect(judgePaste(null, "anything")).toEqual({ allow: true, message: null });
  });

  it("refuses a paste that would lose text, naming the words", () => {
    const { check } = preparePaste("<p>First.</p><p>Second.</p>", parser());
    expect(judgePaste(check, "First.")).toEqual({
      allow: false,
      message: 'Nothing was pasted: text would be lost at line 1: "Second." (after "First.").',
    });
  });

  it("refuses a paste whose markup hides the text after it", () => {
    const { html, check } = preparePaste("<p>One</p><style>p{}<p>Two</p>", parser());
    expect(html).toBe("");
    expect(judgePaste(check, "")).toEqual({
      allow: false,
      message:
        'Nothing was pasted: an unclosed <style> at line 1 hides everything after it ("p{} Two"): close it or remove it.',
    });
  });
});
