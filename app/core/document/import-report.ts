/**
 * What an import left out on purpose, in words for the person importing (the command line and
 * the editor's paste). Pure, safe for the browser.
 */
import type { LeftOut, LeftOutKind } from "./html-source";

const NOUNS: Record<Exclude<LeftOutKind, "outside">, [string, string, string?]> = {
  script: ["script", "scripts"],
  style: ["style sheet", "style sheets"],
  comment: ["comment", "comments"],
  "page-title": ["page title", "page titles", "text"],
  noscript: ["no-JavaScript notice", "no-JavaScript notices", "text"],
  template: ["template", "templates", "text"],
  svg: ["inline SVG image", "inline SVG images", "text"],
  math: ["empty formula", "empty formulas"],
  image: ["image", "images", "alt text"],
  media: ["video, audio or canvas element", "video, audio or canvas elements", "fallback text"],
  embedded: ["embedded frame or object", "embedded frames or objects", "fallback text"],
};

/**
 * One line per kind of thing left out.
 * @example describeLeftOut([{ kind: "image", count: 2, text: ["Team photo"] }]) // ['2 images (alt text: "Team photo")']
 */
export function describeLeftOut(leftOut: LeftOut[]): string[] {
  return leftOut.map((item) => {
    if (item.kind === "outside") {
      return `${item.words} ${item.words === 1 ? "word" : "words"} of the page around its <${item.element}> (navigation, header, footer)`;
    }
    const [one, many, label] = NOUNS[item.kind];
    const counted = `${item.count} ${item.count === 1 ? one : many}`;
    if (!label || item.text.length === 0) return counted;
    return `${counted} (${label}: ${item.text.map((t) => `"${t}"`).join(", ")})`;
  });
}
