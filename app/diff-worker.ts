/**
 * The diff pool's worker thread (app/diff-pool.server.ts): compares two versions and renders the
 * redline off the web process's event loop. Bundled on its own as build/diff-worker.js
 * (scripts/build.mjs); run from source through tsx in tests.
 */
import { computeRedline, type Redline, type RedlineRequest } from "./core/diff";

export default function compare(request: RedlineRequest): Redline {
  return computeRedline(request);
}
