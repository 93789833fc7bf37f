/**
 * The diff pool's worker thread (app/diff-pool.server.ts): compares two versions and renders the
 * redline, or draws a PDF (ADR 0030), off the web process's event loop. A task is a comparison
 * request as before, or a PDF request tagged `kind: "pdf"`. Bundled on its own as
 * build/diff-worker.js (scripts/build.mjs); run from source through tsx in tests.
 */
import { computeRedline, type Redline, type RedlineRequest } from "./core/diff";
import { drawPdf, type PdfRequest } from "./pdf/draw";

/** A PDF to draw; a task without `kind` is a comparison. */
export type PdfTask = { kind: "pdf"; request: PdfRequest };

export default function run(task: RedlineRequest | PdfTask): Redline | Promise<Uint8Array> {
  if ("kind" in task && task.kind === "pdf") return drawPdf(task.request);
  return computeRedline(task as RedlineRequest);
}
