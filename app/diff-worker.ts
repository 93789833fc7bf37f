/**
 * The diff pool's worker thread (app/diff-pool.server.ts): compares two versions and renders the
 * redline, or draws a PDF (ADR 0030), off the web process's event loop. A task is a comparison
 * request as before, or a PDF request tagged `kind: "pdf"`. Bundled on its own as
 * build/diff-worker.js (scripts/build.mjs); run from source through tsx in tests.
 */
import { setPriority } from "node:os";
import { computeRedline, type Redline, type RedlineRequest } from "./core/diff";
import { drawPdf, type PdfRequest } from "./pdf/draw";

/**
 * Nice 10 for this thread only: on Linux a thread's nice value is its own (setpriority of "process"
 * 0 is the calling thread), so the web process's event loop keeps a core's share when a flood of
 * cold comparisons keeps the pool busy, and a comparison takes the CPU nobody else wants. Elsewhere
 * the call would lower the whole process, so it is not made.
 */
if (process.platform === "linux") {
  try {
    setPriority(0, 10);
  } catch {
    // A sandbox that refuses it: the comparisons still run, at the usual priority.
  }
}

/** A PDF to draw; a task without `kind` is a comparison. */
export type PdfTask = { kind: "pdf"; request: PdfRequest };

export default function run(task: RedlineRequest | PdfTask): Redline | Promise<Uint8Array> {
  if ("kind" in task && task.kind === "pdf") return drawPdf(task.request);
  return computeRedline(task as RedlineRequest);
}
