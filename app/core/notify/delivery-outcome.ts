/**
 * How a delivery's outcome reads to a person, shared by the server (the `redline proof` text) and
 * the admin pages in the browser, which must not import *.server modules.
 */
import type { DeliveryStatus } from "./statuses";

/**
 * The transport recorded on an email that was kept on the sending machine (the bundled mail
 * server, or any server that answers as one): it reached nobody.
 */
const CAPTURE_TRANSPORT = "capture";

export function isCaptured(transport: string | null | undefined): boolean {
  return transport === CAPTURE_TRANSPORT;
}

/**
 * A delivery's status as words: a captured email never reads as "sent" or "delivered" — it was
 * accepted by a capture server and delivered to nobody.
 */
export function deliveryStatusText(status: DeliveryStatus, transport: string | null | undefined): string {
  if (isCaptured(transport) && (status === "sent" || status === "delivered"))
    return "captured, not delivered";
  return status;
}

/**
 * The transport as words. Null on an email that was handed over means it was sent before Redline
 * recorded transports; on anything else (dashboard, not yet sent, failed) there is none.
 */
export function transportText(transport: string | null | undefined, handedOver: boolean): string {
  if (transport) return isCaptured(transport) ? "capture (kept on the sending machine)" : transport;
  return handedOver ? "not recorded" : "—";
}

/** Emails of a notice handed over, per transport and status (NoticeSummary.emailTransports). */
export type TransportCount = { transport: string | null; status: DeliveryStatus; emails: number };

/** How many emails each transport carried, most first. */
export function emailsPerTransport(rows: TransportCount[]): { transport: string | null; emails: number }[] {
  const totals = new Map<string | null, number>();
  for (const row of rows) totals.set(row.transport, (totals.get(row.transport) ?? 0) + row.emails);
  return [...totals]
    .map(([transport, emails]) => ({ transport, emails }))
    .sort((a, b) => b.emails - a.emails);
}

/** Captured emails among those whose status would read "sent" or "delivered". */
export function capturedEmails(rows: TransportCount[]): { sent: number; delivered: number } {
  const captured = { sent: 0, delivered: 0 };
  for (const row of rows) {
    if (isCaptured(row.transport) && (row.status === "sent" || row.status === "delivered"))
      captured[row.status] += row.emails;
  }
  return captured;
}

/**
 * Shown, acknowledged and dismissed are three facts (issue 16, item 5): the banner's button on a
 * notice that did not ask for acknowledgement says "Dismiss", and pressing it is a dismissal.
 */
export function ackOutcome(row: {
  acknowledgedAt: string | null;
  acknowledgedVia: string | null;
  requiresAck: number | boolean;
}): "pending" | "acknowledged" | "dismissed" {
  if (!row.acknowledgedAt) return "pending";
  return row.acknowledgedVia === "dashboard" && !row.requiresAck ? "dismissed" : "acknowledged";
}
