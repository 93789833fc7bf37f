/**
 * The process's Prometheus metrics (prom-client): one registry per process, served by the HTTP
 * shell through the runtime (GET /metrics with METRICS_TOKEN, or the METRICS_PORT listener) and by
 * `redline worker` on METRICS_PORT. Names, labels and protection: docs/decisions/0014-health-metrics-logs.md.
 *
 * Every label takes values from a fixed set (route patterns, never raw URLs), so the number of
 * series stays bounded whatever requests arrive.
 */

import cluster from "node:cluster";
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { METRICS_COLLECT, METRICS_COLLECTED, METRICS_REQUEST, METRICS_RESPONSE } from "../server/cluster";
import { ACKNOWLEDGEMENT_CHANNELS } from "./core/notify/statuses";
import { ConfigError } from "./env.server";
import { nextBatchDueAt, unresolvedBatches } from "./models/deliveries.server";

export const registry = new Registry();

// One of several web processes (WEB_CONCURRENCY, server/cluster.ts): the primary collects this
// registry from every serving process and aggregates them for a scrape.
if (cluster.isWorker) {
  process.on("message", (message: { type?: string; id?: number }) => {
    if (message?.type !== METRICS_COLLECT) return;
    registry.getMetricsAsJSON().then(
      (metrics) => process.send?.({ type: METRICS_COLLECTED, id: message.id, metrics }),
      () => process.send?.({ type: METRICS_COLLECTED, id: message.id, metrics: null }),
    );
  });
}

let requestIds = 0;

/** The metrics of every web process of this host when this is one of several, else this process's. */
function collectMetrics(): Promise<string> {
  if (!cluster.isWorker || !process.send) return registry.metrics();
  const id = ++requestIds;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off("message", onMessage);
      reject(new Error("the primary process did not answer the metrics request within 5 s"));
    }, 5000);
    const onMessage = (message: { type?: string; id?: number; body?: string; error?: string }) => {
      if (message?.type !== METRICS_RESPONSE || message.id !== id) return;
      clearTimeout(timer);
      process.off("message", onMessage);
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve(message.body ?? "");
    };
    process.on("message", onMessage);
    process.send?.({ type: METRICS_REQUEST, id });
  });
}

/** Seconds: from a few milliseconds (a cached page) to the render timeout. */
const REQUEST_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequestDuration = new Histogram({
  name: "redline_http_request_duration_seconds",
  help: "Time from a request's arrival to the end of its answer, by route pattern and status",
  labelNames: ["method", "route", "status"] as const,
  buckets: REQUEST_BUCKETS,
  registers: [registry],
});

export const responseCacheRequests = new Counter({
  name: "redline_response_cache_requests_total",
  help: "Cacheable public requests answered from the response cache (hit) or rendered (miss)",
  labelNames: ["result"] as const,
  registers: [registry],
});

export const emailsSent = new Counter({
  name: "redline_emails_sent_total",
  help: "Emails the provider accepted",
  registers: [registry],
});

export const emailsFailed = new Counter({
  name: "redline_emails_failed_total",
  help: "Emails marked failed after their batch was refused or ran out of attempts",
  registers: [registry],
});

export const providerRequestDuration = new Histogram({
  name: "redline_provider_request_duration_seconds",
  help: "Email provider batch requests, by outcome (sent, rate_limited, retryable, permanent)",
  labelNames: ["outcome"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
  registers: [registry],
});

export const providerRateLimited = new Counter({
  name: "redline_provider_rate_limited_total",
  help: "Answers of the email provider asking to slow down (HTTP 429 with a wait)",
  registers: [registry],
});

export const acknowledgementsRecorded = new Counter({
  name: "redline_acknowledgements_total",
  help: "Acknowledgements recorded (a repeated acknowledgement is not counted), by channel",
  labelNames: ["channel"] as const,
  registers: [registry],
});

export const diffDuration = new Histogram({
  name: "redline_diff_duration_seconds",
  help: "Time to compute a redline between two versions, by where it is shown (public, workspace)",
  labelNames: ["view"] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

// Series that exist from the start, so that a rate() over them is defined before the first event.
for (const result of ["hit", "miss"]) responseCacheRequests.labels(result).inc(0);
for (const channel of ACKNOWLEDGEMENT_CHANNELS) acknowledgementsRecorded.labels(channel).inc(0);

/** Times `work` (a comparison in the diff pool, waiting for a thread included) into the diff histogram. */
export async function timeDiff<T>(view: "public" | "workspace", work: () => Promise<T>): Promise<T> {
  const end = diffDuration.startTimer({ view });
  try {
    return await work();
  } finally {
    end();
  }
}

let processMetrics = false;

/**
 * What a long-running process adds on top of its own counters: Node's process metrics and the
 * outbox read from the database at each scrape (two lookups in the partial index of pending
 * batches: their cost follows the backlog, not the history). One-shot commands never call it.
 */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: "redline_outbox_batches",
    help: "Email batches (up to 100 emails each) not yet resolved: pending (due or backing off) or sending (leased by a dispatcher)",
    labelNames: ["status"] as const,
    registers: [registry],
    // Read from the database: every web process reports the same figure; a sum would multiply it.
    aggregator: "max",
    async collect() {
      const { pending, sending } = await unresolvedBatches();
      this.set({ status: "pending" }, pending);
      this.set({ status: "sending" }, sending);
    },
  });
  new Gauge({
    name: "redline_outbox_oldest_due_seconds",
    help: "How long the oldest email batch that is due has been waiting for a dispatcher (0 when none is due)",
    registers: [registry],
    aggregator: "max",
    async collect() {
      const due = await nextBatchDueAt();
      this.set(due === null ? 0 : Math.max(0, (Date.now() - due) / 1000));
    },
  });
}

/** True when `authorization` is `Bearer <token>`; compared in constant time. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  if (!given) return false;
  // Digests of equal length, so that neither the comparison nor an early length check leaks anything.
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/**
 * Answers a scrape: the registry in Prometheus text format, behind the token when one is set.
 * Plain node:http signature, so the shell (Express) and the separate listener share it.
 */
export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  { token, onError }: { token: string | undefined; onError: (error: unknown) => void },
): Promise<void> {
  res.setHeader("Cache-Control", "no-store");
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain" }).end("Method not allowed");
    return;
  }
  if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
    res
      .writeHead(401, { "WWW-Authenticate": 'Bearer realm="metrics"', "Content-Type": "text/plain" })
      .end("Unauthorized");
    return;
  }
  try {
    const body = await collectMetrics();
    res.writeHead(200, { "Content-Type": registry.contentType });
    res.end(req.method === "HEAD" ? undefined : body);
  } catch (error) {
    onError(error);
    res.writeHead(500, { "Content-Type": "text/plain" }).end("Metrics could not be collected");
  }
}

export type MetricsListener = { url: string; close: () => Promise<void> };

/**
 * METRICS_PORT: /metrics on its own listener (loopback unless METRICS_HOST says otherwise), for a
 * scraper that reaches the machine but not the public port's audience. Anything else is a 404.
 */
export async function startMetricsListener({
  host,
  port,
  token,
  onError,
}: {
  host: string;
  port: number;
  token: string | undefined;
  onError: (error: unknown) => void;
}): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    if (new URL(req.url ?? "/", "http://metrics.invalid").pathname !== "/metrics") {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found");
      return;
    }
    void serveMetrics(req, res, { token, onError });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE" || error.code === "EACCES"
          ? new ConfigError(
              `METRICS_PORT ${port} on ${host} ${error.code === "EADDRINUSE" ? "is already in use" : "is not permitted"}: choose another METRICS_PORT`,
            )
          : error,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
