/**
 * Remix's server entry: the stock streaming renderer (bots get the whole page at once), plus one
 * change — `handleError` logs through pino, and logs a request the router itself refused (no route,
 * no action for a POST: 404, 405) or warned about as one line instead of a stack trace (ADR 13).
 */
import { PassThrough } from "node:stream";
import type { ActionFunctionArgs, EntryContext, LoaderFunctionArgs } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { logger } from "./logger.server";

const ABORT_DELAY = 5_000;

export function handleError(error: unknown, { request }: LoaderFunctionArgs | ActionFunctionArgs): void {
  // The client went away: nothing went wrong on our side.
  if (request.signal.aborted) return;
  const where = { method: request.method, path: new URL(request.url).pathname };
  if (isRouteErrorResponse(error) && error.status < 500) {
    const detail = (error as { error?: unknown }).error;
    logger.info(
      { ...where, status: error.status },
      detail instanceof Error ? detail.message : `${error.status} ${error.statusText}`,
    );
    return;
  }
  // Remix's own warnings (e.g. an old-style `?_data=` request) are about the request, not a fault.
  if (error instanceof Error && error.message.startsWith("Warning: ")) {
    logger.warn(where, error.message);
    return;
  }
  logger.error({ ...where, err: error }, "request failed");
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  // Crawlers get the complete document in one piece; browsers get the shell as soon as it is ready.
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const ready = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set("Content-Type", "text/html");
      resolve(
        new Response(createReadableStreamFromReadable(body), {
          headers: responseHeaders,
          status: responseStatusCode,
        }),
      );
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />,
      {
        onShellReady: waitForAll ? undefined : ready,
        onAllReady: waitForAll ? ready : undefined,
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors before the shell rejects above and are logged by handleError.
          if (shellRendered) logger.error({ err: error }, "rendering failed");
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}
