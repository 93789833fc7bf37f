/**
 * How a "Download PDF" route answers (ADR 0030): the PDF as an attachment with its file name, or a
 * 304 when the browser has it, or — for text the bundled fonts cannot draw — a 422 page that says
 * so and points at the browser's Print → Save as PDF, instead of a PDF of empty boxes.
 */
import { escapeHtml } from "../core/diff/render-html";
import { isNotModified } from "../core/public/http-cache";
import type { PdfOutcome } from "../models/pdf.server";
import { refusedAsPage } from "./refusals.server";

type Caching = { etag: string; cacheControl: string } | { cacheControl: "no-store" };

/** A bodyless 304 when the request's If-None-Match names this PDF already. */
export function notModified(request: Request, caching: Caching): Response | null {
  if (!("etag" in caching) || !isNotModified(request, caching.etag)) return null;
  return new Response(null, {
    status: 304,
    headers: { ETag: caching.etag, "Cache-Control": caching.cacheControl },
  });
}

/**
 * The answer for a PDF being made: `work` may be refused by a full diff pool (503 with Retry-After,
 * thrown as the page routes throw it). `page` is the HTML page the PDF mirrors.
 */
export async function pdfAnswer(
  work: Promise<PdfOutcome>,
  caching: Caching,
  page: string,
): Promise<Response> {
  const outcome = await refusedAsPage(work);
  if (!outcome.ok) return unsupportedScriptPage(outcome.script, page);
  return new Response(new Uint8Array(outcome.bytes), {
    status: 200,
    headers: {
      "Content-Type": "application/pdf",
      "Content-Length": String(outcome.bytes.length),
      "Content-Disposition": `attachment; filename="${outcome.fileName}"`,
      "Cache-Control": caching.cacheControl,
      ...("etag" in caching ? { ETag: caching.etag } : {}),
    },
  });
}

function unsupportedScriptPage(script: string, page: string): Response {
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>PDF not available</title></head>
<body>
<main>
<h1>A PDF cannot be produced for this language</h1>
<p>This policy is written in a writing system (${escapeHtml(script)}) that the PDF download cannot show yet.</p>
<p>Open <a href="${escapeHtml(page)}">the page</a> and use your browser's <strong>Print</strong> command, then choose <strong>Save as PDF</strong>: the page is laid out for printing.</p>
</main>
</body>
</html>
`;
  return new Response(html, {
    status: 422,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}
