/**
 * Tampering with the proof is detectable: the delivery outcomes and acknowledgements are chained
 * in the audit log, and `redline audit verify` names the entry that was edited behind its back.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { acknowledgeNotice } from "../../app/models/acknowledgements.server";
import { verifyAuditLog } from "../../app/models/audit.server";
import { db } from "../../app/models/db.server";
import { startMailServer } from "../../app/notify/mail-server.server";
import { jsonValue, row, rows } from "../../db/dialect";
import type { AuditEntry } from "../../db/tables";
import { asOwner } from "../support/raw-sql";
import { redline } from "../support/server";
import { addSubscribers, publishFirst, publishMaterial, testDispatcher } from "./notify-support";
import { noticeOf } from "./proof-support";

let sentEntry: AuditEntry;
let ackEntry: AuditEntry;

beforeAll(async () => {
  await publishFirst("tamper");
  await addSubscribers("tamper", 2);
  const v2 = await publishMaterial("tamper", {
    channels: ["email", "dashboard"],
    audience: { group: "tamper" },
    requireAck: true,
  });
  const mail = await startMailServer();
  await testDispatcher(mail).drain();
  await mail.close();
  await acknowledgeNotice({ externalId: "tamper-1", noticeId: await noticeOf(v2.id), channel: "api" });
  const raw = await rows<Record<string, unknown>>(db(), sql`SELECT * FROM audit_log ORDER BY id`);
  const entries = raw.map((r) => ({
    ...r,
    details: jsonValue(r.details),
  })) as unknown as AuditEntry[];
  sentEntry = entries.find((e) => e.action === "delivery.sent")!;
  ackEntry = entries.find((e) => e.action === "notice.acknowledged")!;
});

/**
 * Goes around the append-only trigger, as someone with the database could (test/support/raw-sql.ts).
 * Again before every edit: each `redline audit verify` restores the trigger (ADR 0011).
 */
const aroundTrigger = (statement: string, params: unknown[]) =>
  asOwner(statement, params, { triggers: ["audit_log_no_update"] });

const verifyCli = () =>
  redline(["audit", "verify"], { DATABASE_URL: process.env.DATABASE_URL!, LOG_LEVEL: "warn" });

async function rewriteDetails(
  id: number,
  edit: (details: Record<string, unknown>) => Record<string, unknown>,
) {
  const stored = (await row<{ details: unknown }>(
    db(),
    sql`SELECT details FROM audit_log WHERE id = ${id}`,
  ))!;
  // The text as stored (SQLite), or as PostgreSQL's json column gives it back.
  const original = typeof stored.details === "string" ? stored.details : JSON.stringify(stored.details);
  const update = "UPDATE audit_log SET details = ? WHERE id = ?";
  await aroundTrigger(update, [JSON.stringify(edit(jsonValue(stored.details))), id]);
  return () => aroundTrigger(update, [original, id]);
}

describe("tampering with proof in the audit log", () => {
  it("is intact before anyone touches it", async () => {
    expect((await verifyAuditLog()).break).toBeNull();
  });

  it("names the delivery entry whose provider message id was changed", async () => {
    const restore = await rewriteDetails(sentEntry.id, (details) => {
      const list = details.deliveries as [number, number, string][];
      return { ...details, deliveries: list.map(([d, s, m], i) => [d, s, i === 0 ? "forged-id" : m]) };
    });
    expect((await verifyAuditLog()).break).toEqual({ id: sentEntry.id, reason: "hash-mismatch" });
    const cli = await verifyCli();
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`audit log broken at entry ${sentEntry.id}`);
    await restore();
    expect((await verifyAuditLog()).break).toBeNull();
  });

  it("names the acknowledgement entry whose time was moved", async () => {
    await rewriteDetails(ackEntry.id, (details) => ({
      ...details,
      acknowledgedAt: "2020-01-01T00:00:00.000Z",
    }));
    expect((await verifyAuditLog()).break).toEqual({ id: ackEntry.id, reason: "hash-mismatch" });
    const cli = await verifyCli();
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`audit log broken at entry ${ackEntry.id}`);
  });
});
