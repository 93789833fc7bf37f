import type { ActionFunctionArgs } from "@remix-run/node";
import { sentence } from "~/auth/errors.server";
import { ABILITIES } from "~/auth/roles";
import { requireUserUpload } from "~/auth/session.server";
import { type ImportEvent, SUBSCRIBER_CSV_TYPES } from "~/core/notify/subscriber-import";
import { BODY_LIMITS, BodyError, describeBytes, streamBody } from "~/http/body.server";
import { logger } from "~/logger.server";
import { recordSubscriberImport } from "~/models/subscribers.server";
import { CsvHeaderError, importSubscribersCsv } from "~/notify/csv-import.server";

/**
 * Rows written per transaction for an upload. Smaller than the CLI's 5,000: the web server keeps
 * answering other requests between chunks, and no single SQLite transaction holds its thread for
 * more than a few milliseconds.
 */
const UPLOAD_CHUNK = 1000;

/**
 * POST /admin/imports/subscribers: a subscribers CSV sent as the raw body (`Content-Type: text/csv`,
 * the CSRF token in `X-CSRF-Token`) by the subscribers page. The same import as `redline subscribers
 * import` (app/notify/csv-import.server.ts, the rules in app/core/notify/subscriber.ts): parsed as
 * it streams in, written in chunks, bad rows named by line and skipped. The answer streams too: one
 * JSON event per line (progress, then the report), so the page can show how far it got. Not under
 * /admin/subscribers/, where any name is a subscriber's externalId.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") throw new Response("Send the file with POST.", { status: 405 });
  const user = await requireUserUpload(request, {
    role: ABILITIES.importSubscribers,
    types: SUBSCRIBER_CSV_TYPES,
    what: "the file as text/csv",
  });
  // A file declared too large is refused at once (the shell discards what it still sends); one that
  // does not declare its size is stopped at the limit as it streams.
  if (Number(request.headers.get("content-length") ?? 0) > BODY_LIMITS.subscriberCsv) {
    throw plain(sentence(tooLargeMessage()), 413);
  }
  let bytes = 0;
  const counted = (async function* () {
    for await (const chunk of streamBody(request, BODY_LIMITS.subscriberCsv)) {
      bytes += chunk.byteLength;
      yield chunk;
    }
  })();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: ImportEvent) => controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
      // The import runs to its end even if the page goes away: every chunk it wrote is kept, and
      // the audit entry says how far it got.
      void (async () => {
        try {
          const report = await importSubscribersCsv(counted, {
            name: "the file",
            chunkSize: UPLOAD_CHUNK,
            onProgress: (progress) => send({ type: "progress", bytes, ...progress }),
          });
          await recordSubscriberImport({
            actor: { kind: "user", id: user.id },
            counts: {
              rows: report.rows,
              created: report.created,
              updated: report.updated,
              rejected: report.rejected.length + report.moreRejected,
              stopped: report.stopped !== null,
            },
          });
          send({ type: "done", report });
        } catch (error) {
          send({ type: "failed", message: failure(error) });
        } finally {
          try {
            controller.close();
          } catch {
            // The page went away; nothing is left to tell it.
          }
        }
      })();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

function tooLargeMessage(): string {
  return `The file is larger than ${describeBytes(BODY_LIMITS.subscriberCsv)}, the limit for an upload: import it with \`redline subscribers import\``;
}

function plain(message: string, status: number): Response {
  return new Response(message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/** Why a file could not be imported, for the person who sent it. */
function failure(error: unknown): string {
  if (error instanceof CsvHeaderError) return sentence(`${error.message}. Nothing was imported`);
  if (error instanceof BodyError) {
    return error.status === 413
      ? `${tooLargeMessage()}. Rows read before the limit may have been imported.`
      : sentence(error.message);
  }
  logger.error({ err: error }, "subscriber upload failed");
  return "The import failed. Rows written before the failure were kept; nothing else changed.";
}
