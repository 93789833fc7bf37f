/**
 * Express middleware of the HTTP shell, mounted before the Remix handler (ADR 13):
 * `app.use(requestGuards())`. They handle what Remix would otherwise get wrong at the HTTP level.
 */
import type { IncomingMessage } from "node:http";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { DISCARD } from "../app/http/body.server";

type Logger = {
  info: (facts: object, message: string) => void;
  error: (facts: object, message: string) => void;
};

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The host a cross-site check compares the Origin with: X-Forwarded-Host's first value, else Host —
 * the same rule as Remix's own check (`throwIfPotentialCSRFAttack` in @remix-run/server-runtime).
 */
function requestHost(headers: IncomingMessage["headers"]): string | null {
  const forwarded = headers["x-forwarded-host"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  if (first) return first;
  const host = headers.host;
  return typeof host === "string" && host !== "" ? host : null;
}

/**
 * Whether Remix would refuse this write as cross-site. Remix checks page and `.data` requests (not
 * resource routes such as the JSON API, which answer cross-origin calls under their own CORS
 * rules), and refuses by throwing: a 500 with a stack trace in the log.
 */
export function isCrossSiteWrite(method: string, path: string, headers: IncomingMessage["headers"]): boolean {
  if (!WRITES.has(method)) return false;
  const origin = headers.origin;
  if (typeof origin !== "string") return false;
  // The JSON API decides for itself; its `.data` twins go through Remix's page handling and check.
  if (path.startsWith("/api/") && !path.endsWith(".data")) return false;
  if (origin === "null") return true;
  try {
    return new URL(origin).host !== requestHost(headers);
  } catch {
    return true;
  }
}

/**
 * A cross-site form post gets a 403 that says so, instead of Remix's 500. Browsers send Origin on
 * every cross-site POST; the workspace's own check (origin, then CSRF token) still runs after this.
 */
export function refuseCrossSiteWrites(): RequestHandler {
  return (req, res, next) => {
    if (!isCrossSiteWrite(req.method, req.path, req.headers)) return next();
    res.status(403).type("text/plain; charset=utf-8").send("Cross-site request refused.");
  };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/**
 * After an answer sent before the request's body was read to its end (a 404, 405, 401 or 413 that
 * did not need the body), the rest of the body is read and thrown away — at most DISCARD.bytes, for
 * at most DISCARD.ms — and the connection then serves the client's next request; beyond that the
 * connection is dropped. Left unread, the rest would stand in front of the next request on the same
 * connection until the keep-alive timeout reset it; dropped at once, most clients would lose the
 * answer while still sending.
 */
/**
 * How long, and how much more, a dropped connection still takes in (and throws away) what the
 * client sends: bounded in bytes too, or a fast client would be read at line rate for the whole time.
 */
const LINGER = { ms: 2_000, bytes: 4 * 1024 * 1024 } as const;

export function discardUnreadBodies(): RequestHandler {
  return (req, res, next) => {
    if (!hasBody(req)) return next();
    res.once("finish", () => {
      if (req.complete) return;
      // Whoever was reading (Remix's body stream) has stopped: take the bytes off their hands.
      req.removeAllListeners("data");
      let discarded = 0;
      let dropping = false;
      // A lingering close, as nginx does: the answer and a FIN go first, and the connection is
      // destroyed a moment later. Destroyed at once, the client's TCP stack would get a reset while
      // it is still sending, and a reset throws away the answer still unread in its receive buffer.
      const drop = () => {
        if (dropping) return;
        dropping = true;
        req.socket.end();
        setTimeout(() => req.destroy(), LINGER.ms).unref();
      };
      const timer = setTimeout(drop, DISCARD.ms);
      timer.unref();
      req.on("data", (chunk: Buffer) => {
        discarded += chunk.length;
        // Past the linger's bytes, stop reading rather than reset: the client's sends stall on TCP's
        // window while it reads the answer, and the timer above ends the connection.
        if (discarded > DISCARD.bytes + LINGER.bytes) req.pause();
        else if (discarded > DISCARD.bytes) drop();
      });
      req.once("close", () => clearTimeout(timer));
      req.resume();
    });
    next();
  };
}

/** Both guards, in order: `app.use(requestGuards())` before the Remix handler. */
export function requestGuards(): RequestHandler[] {
  return [discardUnreadBodies(), refuseCrossSiteWrites()];
}

/**
 * Express's own refusals — a path whose percent-escapes are not UTF-8 is a 400 before any route —
 * answered in plain text and logged as one line; anything else is logged once with its stack and
 * answered 500. Express's default handler prints every one of them as a stack trace. Mount last.
 */
export function answerExpressErrors(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const status = Number((error as { status?: unknown; statusCode?: unknown })?.status ?? error?.statusCode);
    const where = { requestId: res.locals.requestId, method: req.method, path: req.path.slice(0, 200) };
    if (status === 404) {
      // An unknown file under /build/ (an old bundle, a probe): an answer, not an event.
      res.status(404).type("text/plain; charset=utf-8").send("Not found");
      return;
    }
    if (status >= 400 && status < 500) {
      logger.info({ ...where, status }, error instanceof Error ? error.message : String(error));
      res
        .status(status)
        .type("text/plain; charset=utf-8")
        .send("That request cannot be answered: the address is not valid.");
      return;
    }
    logger.error({ ...where, err: error }, "request failed");
    res.status(500).type("text/plain; charset=utf-8").send("Something went wrong.");
  };
}
