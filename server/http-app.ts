/**
 * The HTTP application in front of Remix: request ids, client addresses through the trusted-proxy
 * setting, request log and metrics, health endpoints, request guards, security headers, the public
 * response cache, compression, static files and the Remix handler. Everything stateful comes from
 * the runtime (started from the Remix build), never from app modules imported here, so that the
 * process holds one copy of the app.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express, { type NextFunction, type Request, type Response } from "express";
import proxyAddress from "proxy-addr";
import type { Runtime } from "../app/runtime.server";
import { compressAnswers } from "./compression";
import { healthEndpoints } from "./health";
import { answerExpressErrors, requestGuards } from "./request-guards";
import { logRequest, markAppRequests, pathOf, requestTelemetry } from "./request-telemetry";
import { publicResponseCache } from "./response-cache";
import { routePatterns, UNMATCHED_ROUTE } from "./route-patterns";
import { securityHeaders } from "./security-headers";

/** What the shell uses of the runtime (app/runtime.server.ts). */
export type ShellRuntime = Runtime;

export type HttpAppOptions = {
  runtime: ShellRuntime;
  /** The installation folder, holding public/. */
  root: string;
  build: ServerBuild | (() => Promise<ServerBuild>);
  /** The routes that name requests in metrics and logs (in development, those of the first build). */
  routes: ServerBuild["routes"];
  mode: "development" | "production";
  /** True once SIGTERM arrived: connections are closed after their answer. */
  shuttingDown: () => boolean;
};

/** Accepted from a proxy in front only when it looks like an id, never as arbitrary text for the logs. */
const REQUEST_ID = /^[\w.:-]{8,128}$/;

export function createHttpApp({ runtime, root, build, routes, mode, shuttingDown }: HttpAppOptions) {
  const app = express();
  app.disable("x-powered-by");
  // Who the client is: the socket's peer, unless TRUST_PROXY names the proxies allowed to say otherwise.
  app.set("trust proxy", runtime.env.TRUST_PROXY ?? false);
  const routePattern = routePatterns(routes);

  /** Every request's id (also for answers from the response cache, which Express never sees). */
  const requestIdOf = (req: IncomingMessage): string => {
    const given = req.headers["x-request-id"];
    return runtime.env.TRUST_PROXY !== undefined && typeof given === "string" && REQUEST_ID.test(given)
      ? given
      : randomUUID();
  };
  app.use((req: Request, res: Response, next: NextFunction) => {
    const requestId = requestIdOf(req);
    res.locals.requestId = requestId;
    res.setHeader("X-Request-Id", requestId);
    if (shuttingDown()) res.setHeader("Connection", "close");
    next();
  });

  // Request log and duration metrics; /healthz, /readyz and /metrics before any cache (ADR 14).
  app.use(requestTelemetry({ runtime, routePattern }));
  app.use(healthEndpoints({ runtime, shuttingDown }));
  // Cross-site writes refused as 403 (not Remix's 500); unread bodies drained after early answers (ADR 13).
  app.use(requestGuards());
  // CSP (and the workspace's script nonce, res.locals.cspNonce), nosniff, referrer policy, HSTS;
  // no-store in the workspace (ADR 15). Stored with each cached answer, so replays carry them too.
  app.use(securityHeaders({ publicBaseUrl: runtime.env.PUBLIC_BASE_URL }));

  // Public policy pages and JSON: rendered answers are stored while nothing published has changed
  // (ADR 5), with their compressed variants (ADR 15), and replayed in front of Express (below);
  // `record` after compression, so that it stores what the app wrote.
  const cache =
    mode !== "development"
      ? publicResponseCache({ stateToken: runtime.publicStateToken, onLookup: runtime.metrics.responseCache })
      : null;
  app.use(compressAnswers());
  if (cache) app.use(cache.record);

  const publicDir = join(root, "public");
  app.use(
    "/build",
    express.static(join(publicDir, "build"), { immutable: true, maxAge: "1y", fallthrough: false }),
  );
  app.use(express.static(publicDir, { maxAge: "1h" }));

  app.use(markAppRequests);
  app.all(
    "*",
    createRequestHandler({
      build,
      mode,
      getLoadContext: (req, res) => ({
        services: runtime.services,
        clientAddress: req.ip ?? null,
        requestId: res.locals.requestId as string,
        // Only workspace pages run scripts, so only they get a nonce (server/security-headers.ts).
        cspNonce: (res.locals.cspNonce as string | undefined) ?? "",
      }),
    }),
  );

  // Express's own refusals (unknown files under /build, malformed paths) as one line, not a stack trace.
  app.use(answerExpressErrors(runtime.logger));
  if (!cache) return app;

  // Cache hits are answered before Express, as a CDN in front of it would: Express's own set-up of
  // a request costs more than a whole hit (ADR 15). What must see every request is repeated here:
  // the request id, the connection's fate at shutdown, the log line and the duration sample.
  const trusted = app.get("trust proxy fn") as Parameters<typeof proxyAddress>[1];
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    let answered: { bytes: number } | null = null;
    let requestId = "";
    try {
      answered = cache.answer(req, res, () => {
        requestId = requestIdOf(req);
        return ["X-Request-Id", requestId, ...(shuttingDown() ? ["Connection", "close"] : [])];
      });
    } catch (error) {
      // Never a reason to fail the request: the app renders it instead.
      runtime.logger.error({ err: error }, "response cache failed");
    }
    if (!answered) {
      if (!res.headersSent) app(req, res);
      return;
    }
    logRequest(runtime, {
      requestId,
      method: req.method ?? "GET",
      route: routePattern(pathOf(req)) ?? UNMATCHED_ROUTE,
      status: res.statusCode,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      bytes: answered.bytes,
      clientAddress: runtime.logger.isLevelEnabled("info") ? (proxyAddress(req, trusted) ?? null) : null,
      aborted: false,
    });
  };
}
