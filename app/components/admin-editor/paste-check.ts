/**
 * The importer's rules for text pasted into the editor (ADR 0012): what is left out on purpose
 * (scripts, style sheets, SVG icons, images …) is cut before the editor parses the paste and is
 * reported; a paste whose text would not all arrive is refused, naming the place.
 */
import {
  type HtmlParser,
  htmlTextDecoder,
  type PreparedHtml,
  prepareHtml,
} from "~/core/document/html-source";
import { describeLeftOut } from "~/core/document/import-report";
import { describeLostText, findLostText } from "~/core/document/text-integrity";

/** What the HTML on the clipboard came to, kept between the editor's two paste hooks. */
export type PasteCheck = { refusal: string } | { prepared: PreparedHtml };

/** Prepares clipboard HTML for the editor's parser; an unreadable paste is refused later, in `judgePaste`. */
export function preparePaste(html: string, parser: HtmlParser): { html: string; check: PasteCheck } {
  try {
    const prepared = prepareHtml(html, { decode: htmlTextDecoder(parser) });
    return { html: prepared.html, check: { prepared } };
  } catch (error) {
    return { html: "", check: { refusal: (error as Error).message } };
  }
}

/**
 * Whether the parsed paste may go in, and what to tell the person: why it was refused, or what
 * was left out on purpose. A paste that did not come as HTML (plain text, a paste inside code) has
 * no check and goes in unchanged.
 */
export function judgePaste(
  check: PasteCheck | null,
  pastedText: string,
): { allow: boolean; message: string | null } {
  if (!check) return { allow: true, message: null };
  if ("refusal" in check) return { allow: false, message: `Nothing was pasted: ${check.refusal}.` };
  const lost = findLostText(check.prepared.texts, pastedText);
  if (lost) return { allow: false, message: `Nothing was pasted: ${describeLostText(lost)}.` };
  const leftOut = describeLeftOut(check.prepared.leftOut.filter((item) => item.kind !== "comment"));
  if (leftOut.length === 0) return { allow: true, message: null };
  return { allow: true, message: `Pasted. Left out on purpose: ${leftOut.join("; ")}.` };
}
