/**
 * What a reader of a PDF sees, for tests: the number of pages and the text of each page (pdf.js,
 * Mozilla's PDF reader, legacy build for Node 20), and the link targets it would open.
 */
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

export type PdfReading = { pages: string[]; text: string; links: string[]; title: string | null };

export async function readPdf(bytes: Uint8Array | ArrayBuffer): Promise<PdfReading> {
  const data = bytes instanceof Uint8Array ? new Uint8Array(bytes) : new Uint8Array(bytes);
  const pdf = await getDocument({ data, useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  const links: string[] = [];
  for (let number = 1; number <= pdf.numPages; number++) {
    const page = await pdf.getPage(number);
    const content = await page.getTextContent();
    pages.push(
      content.items
        .map((item) => ("str" in item ? `${item.str}${item.hasEOL ? "\n" : ""}` : ""))
        .join("")
        .replace(/[ \t]+\n/g, "\n"),
    );
    for (const annotation of await page.getAnnotations()) {
      if (annotation.subtype === "Link" && annotation.url) links.push(annotation.url);
    }
  }
  const { info } = (await pdf.getMetadata()) as { info: { Title?: string } };
  await pdf.destroy();
  // Lines a paragraph was wrapped into are one text again (the words a test looks for may span two).
  return { pages, text: pages.join("\n").replace(/\s+/g, " "), links, title: info.Title ?? null };
}
