import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/session.server";
import { auditCsvHeader, auditCsvLine, auditJsonLine, parseAuditFilter } from "~/core/audit-filter";
import { isoDateOf } from "~/core/dates";
import { auditExportChunks } from "~/models/audit-view.server";

const FORMATS = {
  csv: { type: "text/csv; charset=utf-8", extension: "csv" },
  jsonl: { type: "application/jsonl; charset=utf-8", extension: "jsonl" },
} as const;

/**
 * GET /admin/audit/export?format=csv|jsonl[&action=…&person=…&document=…&from=…&to=…]: the audit
 * log with the page's filters, oldest first, streamed in chunks; each entry keeps its hashes, so an
 * export can be checked against the chain. The same people who may read the log may export it.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  const params = new URL(request.url).searchParams;
  const format = params.get("format");
  if (format !== "csv" && format !== "jsonl") {
    throw new Response("Choose a format: ?format=csv or ?format=jsonl.", { status: 400 });
  }
  const { filter, problems } = parseAuditFilter(params);
  if (problems.length > 0) throw new Response(`Check the filters: ${problems.join("; ")}.`, { status: 400 });
  const chunks = auditExportChunks(filter);
  const encoder = new TextEncoder();
  const line = format === "csv" ? auditCsvLine : auditJsonLine;
  const end = format === "csv" ? "\r\n" : "\n";
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (format === "csv") controller.enqueue(encoder.encode(`${auditCsvHeader()}\r\n`));
    },
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value.map((row) => `${line(row)}${end}`).join("")));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  const stamp = isoDateOf(new Date());
  return new Response(body, {
    headers: {
      "content-type": FORMATS[format].type,
      "content-disposition": `attachment; filename="redline-audit-${stamp}.${FORMATS[format].extension}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
