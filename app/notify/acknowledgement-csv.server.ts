/**
 * The acknowledgement report as CSV (GET /admin/acknowledgements/:noticeId/csv): one line per
 * person the notice reached, streamed chunk by chunk from the model, every cell safe to open in a
 * spreadsheet.
 */
import { ackOutcome } from "../core/notify/delivery-outcome";
import {
  type AckFilter,
  type AcknowledgementRow,
  acknowledgementRowChunks,
} from "../models/acknowledgements.server";

/** A CSV cell: quoted, and a leading = + - @ (or tab/CR) neutralised so spreadsheets never run it. */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

const ACK_CSV_HEADER = [
  "externalId",
  "subscriberStatus",
  "acknowledged",
  "acknowledgedVersion",
  "acknowledgedAt",
  "acknowledgedVia",
  "emailStatus",
  "emailSentAt",
  "emailTransport",
  "providerMessageId",
  "dashboardStatus",
  "dashboardShownAt",
  "outcome",
  "remindersSent",
  "lastReminderAt",
];

export function acknowledgementCsvLine(row: AcknowledgementRow): string {
  return [
    row.externalId,
    row.subscriberStatus,
    row.acknowledgedAt ? "yes" : "no",
    row.acknowledgedVersion,
    row.acknowledgedAt,
    row.acknowledgedVia,
    row.emailStatus,
    row.emailSentAt,
    row.emailTransport,
    row.providerMessageId,
    row.dashboardStatus,
    row.shownAt,
    ackOutcome(row),
    row.remindersSent,
    row.lastReminderAt,
  ]
    .map(csvCell)
    .join(",");
}

/** The whole report as a CSV stream; each chunk of people is read when the client wants more. */
export function acknowledgementCsv({
  noticeId,
  filter,
}: {
  noticeId: number;
  filter: AckFilter;
}): ReadableStream<Uint8Array> {
  const chunks = acknowledgementRowChunks({ noticeId, filter });
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${ACK_CSV_HEADER.map(csvCell).join(",")}\r\n`));
    },
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else
        controller.enqueue(
          encoder.encode(next.value.map((r) => `${acknowledgementCsvLine(r)}\r\n`).join("")),
        );
    },
    cancel() {
      void chunks.return(undefined);
    },
  });
}
