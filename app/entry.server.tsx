/**
 * Renders documents (waiting for the whole page: nothing here streams, and public pages are cached
 * whole), logs unexpected errors through pino with the request id, and exports `startRuntime` so
 * the HTTP shell starts the services from this same build (see app/runtime.server.ts).
 */
import { PassThrough } from "node:stream";
import type { ActionFunctionArgs, AppLoadContext, EntryContext, LoaderFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "./components/nonce";
import { logger } from "./logger.server";

export { startRuntime } from "./runtime.server";

const RENDER_TIMEOUT_MS = 5_000;

export default function handleRequest(
  request: Request,
  status: number,
  headers: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  return new Promise<Response>((resolve, reject) => {
    let failed = false;
    // The admin's scripts run under a nonce-based Content-Security-Policy (server/security-headers.ts):
    // every inline script Remix and React write carries this request's nonce.
    const nonce = loadContext.cspNonce;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider nonce={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={RENDER_TIMEOUT_MS} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        onAllReady() {
          // Sent as one piece: React writes a document in hundreds of small chunks, and each would
          // be a socket write and a compressor call of its own (brotli then costs ten times more).
          const body = new PassThrough();
          const chunks: Buffer[] = [];
          body.on("data", (chunk: Buffer) => chunks.push(chunk));
          body.on("error", reject);
          body.on("end", () => {
            const html = Buffer.concat(chunks);
            headers.set("Content-Type", "text/html; charset=utf-8");
            headers.set("Content-Length", String(html.length));
            resolve(new Response(html, { headers, status: failed ? 500 : status }));
          });
          pipe(body);
        },
        onShellError: reject,
        onError(error) {
          failed = true;
          logger.error({ err: error, requestId: loadContext.requestId }, "rendering failed");
        },
      },
    );
    setTimeout(abort, RENDER_TIMEOUT_MS + 1000).unref();
  });
}

/**
 * Errors thrown in loaders, actions and rendering. Refusals (404 for an unknown address, 405, a
 * thrown 403 …) are answers, not errors; an aborted request (the client went away) is nothing to report.
 */
export function handleError(
  error: unknown,
  { request, context }: LoaderFunctionArgs | ActionFunctionArgs,
): void {
  if (request.signal.aborted || (isRouteErrorResponse(error) && error.status < 500)) return;
  const where = {
    requestId: context?.requestId,
    method: request.method,
    path: new URL(request.url).pathname,
  };
  // Remix's own warnings (e.g. an old-style `?_data=` request) are about the request, not a fault.
  if (error instanceof Error && error.message.startsWith("Warning: ")) {
    logger.warn(where, error.message);
    return;
  }
  logger.error({ err: error, ...where }, "request failed");
}
