/**
 * Operations endpoints, answered before the response cache, static files and Remix:
 * - GET /healthz — the process is up and its event loop answers (liveness): always 200.
 * - GET /readyz — the runtime's readiness checks; 503 when one fails, also while shutting down.
 * - GET /metrics — Prometheus text, only when METRICS_TOKEN is set (Bearer); otherwise this port
 *   answers it like any unknown address, and metrics live on METRICS_PORT alone if at all.
 * Unauthenticated health answers hold statuses, counts and ages only. See ADR 0014.
 */
import { Router } from "express";
import type { ShellRuntime } from "./http-app";
import { labelRequest } from "./request-telemetry";

export function healthEndpoints({
  runtime,
  shuttingDown,
}: {
  runtime: ShellRuntime;
  shuttingDown: () => boolean;
}): Router {
  const router = Router();
  const started = Date.now();

  router.get("/healthz", (_req, res) => {
    labelRequest(res, "/healthz");
    res
      .set("Cache-Control", "no-store")
      .json({ status: "pass", uptimeSeconds: Math.floor((Date.now() - started) / 1000) });
  });

  router.get("/readyz", async (_req, res) => {
    labelRequest(res, "/readyz");
    res.set("Cache-Control", "no-store");
    try {
      const readiness = await runtime.readiness({ shuttingDown: shuttingDown() });
      res.status(readiness.status === "fail" ? 503 : 200).json(readiness);
    } catch (error) {
      runtime.logger.error({ err: error, requestId: res.locals.requestId }, "readiness check failed");
      res.status(503).json({ status: "fail" });
    }
  });

  router.all("/metrics", (req, res, next) => {
    if (!runtime.metrics.servedOnPublicPort) return next();
    labelRequest(res, "/metrics");
    void runtime.metrics.serve(req, res);
  });

  return router;
}
