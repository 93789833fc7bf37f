import { Window } from "happy-dom";
import { describe, expect, it } from "vitest";
import { normalizeOfficeHtml } from "./office-paste";

const parser = () => new new Window().DOMParser() as unknown as DOMParser;

const word = `<html xmlns:o="urn:schemas-microsoft-com:office:office"><body>
<h2>3. What we collect</h2>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;mso-list:Ignore'>·<span>&nbsp;&nbsp;</span></span><![endif]>Your name</p>
<p class=MsoListParagraphCxSpMiddle style='mso-list:l0 level2 lfo1'><![if !supportLists]><span style='mso-list:Ignore'>o<span>&nbsp;</span></span><![endif]>as you typed it</p>
<p class=MsoListParagraphCxSpLast style='mso-list:l0 level1 lfo1'><![if !supportLists]><span style='mso-list:Ignore'>·</span><![endif]>Your <a href="https://example.com/email">email</a></p>
<p class=MsoNormal>Then a paragraph.</p>
<p class=MsoListParagraph style='mso-list:l1 level1 lfo2'><span style='mso-list:Ignore'>1.<span>&nbsp;</span></span>First step</p>
</body></html>`;

describe("pasting from Word", () => {
  it("turns Word's list paragraphs into nested lists without their typed bullets", () => {
    const html = normalizeOfficeHtml(word, parser());
    const doc = parser().parseFromString(html, "text/html");
    const bullets = doc.querySelector("ul")!;
    expect(bullets.children.length).toBe(2);
    expect(bullets.children[0].querySelector("ul li")?.textContent?.trim()).toBe("as you typed it");
    expect(bullets.children[0].querySelector("p")?.textContent?.trim()).toBe("Your name");
    expect(bullets.children[1].querySelector("a")?.getAttribute("href")).toBe("https://example.com/email");
    expect(doc.querySelector("ol li")?.textContent?.trim()).toBe("First step");
    expect(doc.querySelector("h2")?.textContent).toBe("3. What we collect");
    expect(html).not.toContain("·");
    expect(html).toContain("Then a paragraph.");
  });

  it("leaves HTML without Word lists untouched", () => {
    const google =
      '<b style="font-weight:normal" id="docs-internal-guid-1"><h1>Title</h1><ul><li>One</li></ul></b>';
    expect(normalizeOfficeHtml(google, parser())).toBe(google);
  });
});
