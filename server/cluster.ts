/**
 * WEB_CONCURRENCY: several web processes on one host, sharing one port through node:cluster
 * (ADR 0017). The primary only supervises: it starts the first process alone — so migrations and
 * the first-run content happen once — then the others, restarts one that dies unexpectedly, passes
 * SIGTERM on for a graceful stop, and answers /metrics requests with the aggregate over every
 * serving process (prom-client's `AggregatorRegistry.aggregate`: counters and histograms summed,
 * gauges read from the database taken once), so a scrape sees the host, not the process it hit.
 *
 * Everything the processes share lives in the database: sessions, sign-in throttling, CSRF
 * secrets, the send rate and the public state that validates each process's response cache.
 */
import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry } from "prom-client";

/** A web process asks the primary for the host's metrics… */
export const METRICS_REQUEST = "redline:metrics";
/** …the primary asks every serving process for its own… */
export const METRICS_COLLECT = "redline:metrics-collect";
/** …each answers with its registry as JSON… */
export const METRICS_COLLECTED = "redline:metrics-collected";
/** …and the primary answers the asking process with their aggregate. */
export const METRICS_RESPONSE = "redline:metrics-response";

type Message = { type?: string; id?: number; metrics?: unknown };

/** How long the primary waits for one process's metrics; one that is busy starting or stopping is left out. */
const COLLECT_TIMEOUT_MS = 2000;

/** WEB_CONCURRENCY as a number of processes (1 when unset); throws on anything else. */
export function webConcurrency(value = process.env.WEB_CONCURRENCY): number {
  if (value === undefined || value.trim() === "") return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new Error(`WEB_CONCURRENCY must be a whole number from 1 to 64, got "${value}"`);
  }
  return n;
}

/** How soon a process that died is replaced; doubles while processes keep dying at start. */
const RESTART_DELAY_MS = 1000;

/**
 * The bundled capture mail server runs inside a web process; with several, each would keep its own
 * share of the captured mail. Several processes therefore need a mail server of their own.
 */
export function checkClusterSettings(env = process.env): void {
  if (!env.RESEND_API_KEY && !env.RESEND_BASE_URL) {
    throw new Error(
      "WEB_CONCURRENCY above 1 needs RESEND_API_KEY or RESEND_BASE_URL (for captured mail, run `redline mail-server` and point RESEND_BASE_URL at it): the bundled capture server lives inside one process",
    );
  }
}

export function runPrimary(processes: number): void {
  let stopping = false;
  /** Processes that listen: the ones that have metrics to give. */
  const serving = new Set<Worker>();
  let collections = 0;

  const collectFrom = (worker: Worker, id: number) =>
    new Promise<unknown>((resolve) => {
      const timer = setTimeout(() => done(null), COLLECT_TIMEOUT_MS);
      const onMessage = (message: Message) => {
        if (message?.type === METRICS_COLLECTED && message.id === id) done(message.metrics);
      };
      const done = (metrics: unknown) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        resolve(metrics);
      };
      worker.on("message", onMessage);
      worker.send({ type: METRICS_COLLECT, id });
    });

  const hostMetrics = async (): Promise<string> => {
    const id = ++collections;
    const all = await Promise.all([...serving].map((worker) => collectFrom(worker, id)));
    const answered = all.filter(
      (metrics): metrics is Parameters<typeof AggregatorRegistry.aggregate>[0][number] =>
        Array.isArray(metrics),
    );
    return AggregatorRegistry.aggregate(answered).metrics();
  };
  let restartDelay = RESTART_DELAY_MS;
  let exitCode = 0;

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on("message", (message: Message) => {
      if (message?.type !== METRICS_REQUEST) return;
      hostMetrics().then(
        (body) => worker.send({ type: METRICS_RESPONSE, id: message.id, body }),
        (error: Error) => worker.send({ type: METRICS_RESPONSE, id: message.id, error: error.message }),
      );
    });
    worker.once("listening", () => {
      serving.add(worker);
      restartDelay = RESTART_DELAY_MS;
    });
    worker.once("exit", () => serving.delete(worker));
    return worker;
  };

  let firstListened = false;
  cluster.on("exit", (worker, code, signal) => {
    // The first process could not start (bad settings, port in use): it said why; nothing to supervise.
    if (worker === first && !firstListened) {
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.kill();
      process.exit(code || 1);
    }
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    console.error(
      `web process ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another in ${restartDelay / 1000} s`,
    );
    setTimeout(fork, restartDelay).unref();
    restartDelay = Math.min(restartDelay * 2, 30_000);
  });

  const first = fork();
  first.once("listening", () => {
    firstListened = true;
    for (let i = 1; i < processes; i++) fork();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
