/**
 * One log line and one duration sample per request, both named by route pattern (see
 * route-patterns.ts). The line holds what an operator needs to follow a request — method, route,
 * status, duration, bytes sent, request id and a keyed hash of the client address — and nothing a
 * log store should keep: no URL or query string, no headers, no cookies, no address in clear.
 * Health checks and scrapes are logged at debug, so that probes do not drown the log.
 */
import type { IncomingMessage } from "node:http";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { ShellRuntime } from "./http-app";
import { STATIC_ROUTE, UNMATCHED_ROUTE } from "./route-patterns";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const QUIET = new Set(["/healthz", "/readyz", "/metrics"]);

/** Labels a request with a fixed name instead of its route pattern (the health endpoints). */
export function labelRequest(res: Response, route: string): void {
  res.locals.routeLabel = route;
}

/** Marks requests that reached the Remix handler: a request that did not was a static file. */
export function markAppRequests(_req: Request, res: Response, next: NextFunction): void {
  res.locals.reachedApp = true;
  next();
}

export function requestTelemetry({
  runtime,
  routePattern,
}: {
  runtime: ShellRuntime;
  routePattern: (pathname: string) => string | null;
}): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    // Taken now: mounted middleware (/build) rewrites req.url while it runs.
    const pathname = req.path;
    const bytes = countBodyBytes(res);
    res.once("close", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route: string =
        res.locals.routeLabel ??
        routePattern(pathname) ??
        (res.locals.reachedApp ? UNMATCHED_ROUTE : STATIC_ROUTE);
      logRequest(runtime, {
        requestId: res.locals.requestId as string,
        method: req.method,
        route,
        status: res.statusCode,
        seconds,
        bytes: bytes(),
        clientAddress: req.ip ?? null,
        // The client went away before the answer was complete.
        aborted: !res.writableFinished,
      });
    });
    next();
  };
}

/**
 * The request's log line and duration sample — also for answers from the response cache, which
 * never reach Express (server/http-app.ts).
 */
export function logRequest(
  runtime: ShellRuntime,
  request: {
    requestId: string;
    method: string;
    route: string;
    status: number;
    seconds: number;
    bytes: number;
    clientAddress: string | null;
    aborted: boolean;
  },
): void {
  const method = METHODS.has(request.method) ? request.method : "other";
  const { route, status, seconds } = request;
  runtime.metrics.observeRequest({ method, route, status }, seconds);
  // Built only when it is written: the keyed hash of the address is a few microseconds per request.
  const level = QUIET.has(route) ? "debug" : "info";
  if (!runtime.logger.isLevelEnabled(level)) return;
  const line = {
    requestId: request.requestId,
    method,
    route,
    status,
    durationMs: Math.round(seconds * 10_000) / 10,
    bytes: method === "HEAD" || status === 204 || status === 304 ? 0 : request.bytes,
    ...(request.clientAddress ? { client: runtime.clientTag(request.clientAddress) } : {}),
    ...(request.aborted ? { aborted: true } : {}),
  };
  runtime.logger[level](line, "request");
}

/** The path of a bare request, without its query string. */
export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Counts the body bytes written through `res` from here on. Installed first, so that middleware
 * added later (compression) writes through it and the count is what went out on the wire.
 */
function countBodyBytes(res: Response): () => number {
  let total = 0;
  const count = (chunk: unknown, encoding: unknown) => {
    if (typeof chunk === "string")
      total += Buffer.byteLength(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
    else if (chunk instanceof Uint8Array) total += chunk.byteLength;
  };
  const write = res.write;
  const end = res.end;
  res.write = function (this: Response, chunk: unknown, ...rest: unknown[]) {
    count(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Response["write"];
  res.end = function (this: Response, chunk?: unknown, ...rest: unknown[]) {
    count(chunk, rest[0]);
    return (end as (...args: unknown[]) => Response).call(this, chunk, ...rest);
  } as Response["end"];
  return () => total;
}
