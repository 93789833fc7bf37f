/**
 * Redlines off the event loop: comparisons (and the HTML of their redlines) run in a small pool of
 * worker threads (piscina), so that a large diff never holds up the other requests of the web
 * process. The queue is bounded — when it is full the caller gets a Refusal that the HTTP layer
 * answers with 503 and Retry-After — and every task has a hard deadline after which its worker is
 * terminated (ADR 0018).
 *
 * Only the web process starts a pool (app/runtime.server.ts). Without one (the command line, unit
 * tests, benchmarks) a redline is computed in the calling thread, as before.
 *
 * The same threads draw PDFs (ADR 0030): a task is a comparison, or a PDF tagged `kind: "pdf"`; both
 * share the threads, the queue bound and the deadline.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { computeRedline, type Redline, type RedlineRequest } from "./core/diff";
import { Refusal } from "./core/refusal";
import type { PdfTask } from "./diff-worker";
import { logger } from "./logger.server";
import type { PdfRequest } from "./pdf/draw";

export type DiffPoolOptions = {
  /** Worker threads kept running. @default cores − 1 (at least 1, at most 4) */
  threads: number;
  /** Comparisons that may wait for a thread; one more is refused as "unavailable". @default 32 */
  maxQueue: number;
  /**
   * Milliseconds a comparison may take from the moment it is asked for, waiting included; then
   * its worker is terminated (a new one takes its place) and the caller is refused.
   * @default 10000
   */
  deadlineMs: number;
  /** What Retry-After says when the queue is full. @default 5 */
  retryAfterSeconds: number;
};

const DEFAULTS: DiffPoolOptions = {
  threads: Math.max(1, Math.min(4, availableParallelism() - 1)),
  maxQueue: 32,
  deadlineMs: 10_000,
  retryAfterSeconds: 5,
};

type Pool = {
  piscina: Piscina;
  options: DiffPoolOptions;
  /** Settles once every thread has loaded the engine (a first comparison each, without deadline). */
  ready: Promise<void>;
  running: number;
  /** Comparisons waiting for a thread, first come first served. */
  waiting: (() => void)[];
};
let pool: Pool | null = null;

/**
 * The worker script: build/diff-worker.js beside the server bundle (scripts/build.mjs) in a build,
 * app/diff-worker.ts through tsx when this module runs from source (tests, `tsx` scripts).
 */
function workerScript(): { filename: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith(".ts");
  const filename = fileURLToPath(
    new URL(fromSource ? "./diff-worker.ts" : "./diff-worker.js", import.meta.url),
  );
  return { filename, execArgv: fromSource ? ["--import", "tsx"] : [] };
}

/**
 * Starts the pool (once per process); later redlines run in its threads. The promise settles when
 * the threads are ready: comparisons asked for before then wait, and their deadline starts only then.
 */
export function startDiffPool(options: Partial<DiffPoolOptions> = {}): Promise<void> {
  if (pool) return pool.ready;
  const settings = { ...DEFAULTS, ...options };
  const piscina = new Piscina({
    ...workerScript(),
    minThreads: settings.threads,
    maxThreads: settings.threads,
    // The queue is ours (below): piscina's does not count tasks that carry an AbortSignal.
    maxQueue: Number.POSITIVE_INFINITY,
    // Threads stay up: starting one costs more than most comparisons.
    idleTimeout: Number.POSITIVE_INFINITY,
    // A pathological comparison runs out of memory in its worker, not in the web process.
    resourceLimits: { maxOldGenerationSizeMb: 512 },
  });
  // A worker that dies is replaced by piscina; the task it ran is rejected, not this process.
  piscina.on("error", (error) => logger.error({ err: error }, "a diff worker failed"));
  pool = { piscina, options: settings, ready: warmUp(piscina, settings.threads), running: 0, waiting: [] };
  return pool.ready;
}

const WARM_UP: RedlineRequest = {
  older: { type: "doc", content: [] },
  newer: { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "Ready." }] }] },
};

/** A first comparison on `threads` threads, without deadline: loads the engine, then settles. */
function warmUp(piscina: Piscina, threads: number): Promise<void> {
  return Promise.all(Array.from({ length: threads }, () => piscina.run(WARM_UP))).then(
    () => undefined,
    (error) => {
      // A pool stopped while it started (the server could not listen) abandons its warm-up.
      if (pool?.piscina === piscina) logger.error({ err: error }, "the diff pool did not start");
    },
  );
}

/** Stops the pool: running comparisons are abandoned. */
export async function stopDiffPool(): Promise<void> {
  const stopping = pool;
  pool = null;
  await stopping?.piscina.destroy();
}

/**
 * The redline between two versions, computed in the pool when there is one. Refuses with
 * "unavailable" when the queue is full or the comparison ran past its deadline.
 */
export async function runRedline(request: RedlineRequest): Promise<Redline> {
  const current = pool;
  if (!current) return computeRedline(request);
  return (await runTask(current, request, COMPARISON)) as Redline;
}

/**
 * A PDF (ADR 0030), drawn in the pool when there is one, else in this thread (pdfkit is loaded on
 * first use). Refused like a comparison when the queue is full or it ran past its deadline.
 */
export async function runPdf(request: PdfRequest): Promise<Buffer> {
  const current = pool;
  const bytes = current
    ? ((await runTask(current, { kind: "pdf", request } satisfies PdfTask, PDF)) as Uint8Array)
    : await (await import("./pdf/draw")).drawPdf(request);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** How refusals and log lines name a kind of task. */
type TaskWords = { one: string; many: string; verb: string };
const COMPARISON: TaskWords = { one: "comparison", many: "comparisons", verb: "compute" };
const PDF: TaskWords = { one: "PDF", many: "PDFs", verb: "draw" };

async function runTask(current: Pool, task: RedlineRequest | PdfTask, words: TaskWords): Promise<unknown> {
  const { piscina, options } = current;
  if (current.running < options.threads) current.running++;
  else if (current.waiting.length >= options.maxQueue) throw busy(options, words);
  // A finishing task hands its thread over directly (see finally).
  else await new Promise<void>((resolve) => current.waiting.push(resolve));
  try {
    await current.ready;
    // The deadline covers the task itself: the wait for a thread is bounded by the queue.
    return await piscina.run(task, { signal: AbortSignal.timeout(options.deadlineMs) });
  } catch (error) {
    if (error instanceof Error && error.name === "AbortError") {
      logger.error(
        { deadlineMs: options.deadlineMs, task: words.one },
        `a ${words.one} ran past its deadline; its diff worker was terminated`,
      );
      // Its replacement starts now: the next task's deadline starts once it is ready.
      current.ready = warmUp(piscina, 1);
      throw new Refusal("unavailable", `This ${words.one} took too long to ${words.verb}. Try again later.`, {
        retryAfterSeconds: options.retryAfterSeconds,
      });
    }
    throw error;
  } finally {
    const next = current.waiting.shift();
    if (next) next();
    else current.running--;
  }
}

function busy(options: DiffPoolOptions, words: TaskWords): Refusal {
  return new Refusal(
    "unavailable",
    `Too many ${words.many} are being ${words.verb === "draw" ? "drawn" : "computed"} right now. Try again in ${options.retryAfterSeconds} seconds.`,
    { retryAfterSeconds: options.retryAfterSeconds },
  );
}
