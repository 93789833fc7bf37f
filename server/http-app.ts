/**
 * The Express application in front of Remix: request ids, client addresses through the
 * trusted-proxy setting, the public response cache, static files and the Remix handler. Everything
 * stateful comes from the runtime (started from the Remix build), never from app modules imported
 * here, so that the process holds one copy of the app.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Runtime } from "../app/runtime.server";
import { healthEndpoints } from "./health";
import { answerExpressErrors, requestGuards } from "./request-guards";
import { markAppRequests, requestTelemetry } from "./request-telemetry";
import { publicResponseCache } from "./response-cache";
import { routePatterns } from "./route-patterns";

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

  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.get("x-request-id");
    const requestId =
      runtime.env.TRUST_PROXY !== undefined && given && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = requestId;
    res.locals.cspNonce = randomBytes(16).toString("base64");
    res.setHeader("X-Request-Id", requestId);
    if (shuttingDown()) res.setHeader("Connection", "close");
    next();
  });

  // Request log and duration metrics; /healthz, /readyz and /metrics before any cache (ADR 14).
  app.use(requestTelemetry({ runtime, routePattern: routePatterns(routes) }));
  app.use(healthEndpoints({ runtime, shuttingDown }));
  // Cross-site writes refused as 403 (not Remix's 500); unread bodies drained after early answers (ADR 13).
  app.use(requestGuards());

  // Public policy pages and JSON: replay rendered answers while nothing published has changed (ADR 5).
  // Before the static middleware, so that a replayed page costs no file-system lookup.
  if (mode !== "development")
    app.use(
      publicResponseCache({ stateToken: runtime.publicStateToken, onLookup: runtime.metrics.responseCache }),
    );

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
        cspNonce: res.locals.cspNonce as string,
      }),
    }),
  );

  // Express's own refusals (unknown files under /build, malformed paths) as one line, not a stack trace.
  app.use(answerExpressErrors(runtime.logger));
  return app;
}
