/**
 * The proof-of-notice ledger (`redline proof`, the admin's subscriber page) and the person's own
 * data: access returns everything, erasure keeps the pseudonymous proof.
 */
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { acknowledgeNotice } from "../../app/models/acknowledgements.server";
import { createApiKey } from "../../app/models/api-keys.server";
import { db } from "../../app/models/db.server";
import { applyProviderEvent } from "../../app/models/deliveries.server";
import { recordNoticeShown } from "../../app/models/notice-views.server";
import { formatProofLedger, getProofLedger } from "../../app/models/proof.server";
import { startMailServer } from "../../app/notify/mail-server.server";
import * as subscriberRoute from "../../app/routes/api.v1.subscribers.$externalId";
import { first } from "../../db/dialect";
import { auditLog, deliveries, subscribers } from "../../db/tables";
import { redline } from "../support/server";
import { addSubscribers, publishFirst, publishMaterial, testDispatcher } from "./notify-support";
import { callRoute, noticeOf } from "./proof-support";

let key: string;
let noticeId: number;
let versionId: number;
let ackedAt: string;

beforeAll(async () => {
  ({ key } = await createApiKey({ name: "ledger-test", actor: { kind: "cli" } }));
  await publishFirst("ledger");
  await addSubscribers("ledger", 3);
  const v2 = await publishMaterial("ledger", {
    channels: ["email", "dashboard"],
    audience: { group: "ledger" },
    requireAck: true,
  });
  versionId = v2.id;
  noticeId = await noticeOf(v2.id);
  const mail = await startMailServer();
  await testDispatcher(mail).drain();
  await mail.close();
  ackedAt = (await acknowledgeNotice({ externalId: "ledger-0", noticeId, channel: "dashboard" }))
    .acknowledgedAt;
});

async function emailOf(externalId: string) {
  return (await first(
    db()
      .select({
        id: deliveries.id,
        providerMessageId: deliveries.providerMessageId,
        sentAt: deliveries.sentAt,
      })
      .from(deliveries)
      .innerJoin(subscribers, eq(subscribers.id, deliveries.subscriberId))
      .where(
        and(
          eq(subscribers.externalId, externalId),
          eq(deliveries.noticeId, noticeId),
          eq(deliveries.channel, "email"),
        ),
      ),
  ))!;
}

const subscriberCall = (method: string, externalId: string) =>
  callRoute(subscriberRoute, {
    method,
    path: `/api/v1/subscribers/${externalId}`,
    params: { externalId },
    headers: { authorization: `Bearer ${key}` },
  });

describe("the proof ledger", () => {
  it("lists per notice the version, each channel's status, transport, provider id and times, and the acknowledgement", async () => {
    const email = await emailOf("ledger-0");
    expect(email.providerMessageId).toMatch(/^[0-9a-f-]{36}$/);
    const ledger = await getProofLedger("ledger-0");
    expect(ledger).toEqual({
      externalId: "ledger-0",
      status: "active",
      createdAt: expect.any(String),
      erasedAt: null,
      notices: [
        {
          noticeId,
          document: "ledger",
          locale: "en",
          version: 2,
          material: true,
          requiresAck: true,
          summary: expect.any(String),
          effectiveAt: expect.any(String),
          noticeCreatedAt: expect.any(String),
          channels: ["dashboard", "email"],
          deliveries: [
            {
              channel: "dashboard",
              status: "delivered",
              transport: null,
              providerMessageId: null,
              batch: null,
              sentAt: null,
              statusAt: ackedAt,
            },
            {
              channel: "email",
              status: "sent",
              // The bundled mail server captured it: kept on this machine, delivered to nobody.
              transport: "capture",
              providerMessageId: email.providerMessageId,
              batch: 1,
              sentAt: email.sentAt,
              statusAt: email.sentAt,
            },
          ],
          firstShownAt: null,
          reminderOf: null,
          reminderRound: null,
          outcome: "acknowledged",
          acknowledgement: { version: 2, channel: "dashboard", acknowledgedAt: ackedAt },
        },
      ],
    });
  });

  it("keeps 'shown in the dashboard' apart from acknowledged: the first showing, once", async () => {
    const first = await recordNoticeShown({
      externalId: "ledger-1",
      noticeId,
      now: new Date("2026-12-02T08:00:00Z"),
    });
    const again = await recordNoticeShown({
      externalId: "ledger-1",
      noticeId,
      now: new Date("2026-12-03T08:00:00Z"),
    });
    expect(first).toEqual({ firstShownAt: "2026-12-02T08:00:00.000Z", created: true });
    expect(again).toEqual({ firstShownAt: "2026-12-02T08:00:00.000Z", created: false });
    const entry = (await getProofLedger("ledger-1"))!.notices[0];
    expect(entry.firstShownAt).toBe("2026-12-02T08:00:00.000Z");
    expect(entry.acknowledgement).toBeNull();
    expect(formatProofLedger((await getProofLedger("ledger-1"))!)).toContain(
      "  shown 2026-12-02T08:00:00.000Z in the dashboard",
    );
    await expect(
      recordNoticeShown({ externalId: "ledger-1", noticeId: noticeId + 999 }),
    ).rejects.toMatchObject({
      reason: "not-found",
    });
  });

  it("prints the same ledger with `redline proof --format json`, and a readable one without", async () => {
    const env = { DATABASE_URL: process.env.DATABASE_URL!, LOG_LEVEL: "warn" };
    const json = await redline(["proof", "ledger-0", "--format", "json"], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(await getProofLedger("ledger-0"))));
    const text = await redline(["proof", "ledger-1"], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      `notice ${noticeId}: ledger (en) version 2, material, acknowledgement required`,
    );
    expect(text.stdout).toContain(`provider id ${(await emailOf("ledger-1")).providerMessageId}`);
    expect(text.stdout).toMatch(/email +captured, not delivered · transport capture/);
    expect(text.stdout).toContain("not acknowledged");
    const unknown = await redline(["proof", "nobody"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no subscriber "nobody"/);
  });

  it("shows a bounce with its time after the provider reports it", async () => {
    const email = await emailOf("ledger-2");
    const at = new Date().toISOString();
    await applyProviderEvent({
      svixId: "msg_ledger_bounce",
      type: "email.bounced",
      providerMessageId: email.providerMessageId,
      deliveryId: email.id,
      bounceType: "Permanent",
      at,
    });
    const ledger = (await getProofLedger("ledger-2"))!;
    expect(ledger.notices[0].deliveries.find((d) => d.channel === "email")).toMatchObject({
      status: "bounced",
      statusAt: at,
      providerMessageId: email.providerMessageId,
    });
    expect(ledger.notices[0].acknowledgement).toBeNull();
  });
});

describe("the person's own data", () => {
  it("GET returns everything stored about them: profile, deliveries and acknowledgements", async () => {
    const { status, body } = await subscriberCall("GET", "ledger-0");
    expect(status).toBe(200);
    expect(body.subscriber).toMatchObject({
      externalId: "ledger-0",
      email: "ledger-0@example.test",
      status: "active",
    });
    expect(body.subscriber).not.toHaveProperty("id");
    expect(body.deliveries).toEqual([
      expect.objectContaining({ noticeId, channel: "dashboard", status: "delivered" }),
      expect.objectContaining({
        noticeId,
        channel: "email",
        status: "sent",
        providerMessageId: (await emailOf("ledger-0")).providerMessageId,
        recipientEmail: null,
      }),
    ]);
    expect(body.acknowledgements).toEqual([
      {
        noticeId,
        document: "ledger",
        locale: "en",
        version: 2,
        channel: "dashboard",
        acknowledgedAt: ackedAt,
      },
    ]);
  });

  it("DELETE erases email, name and attributes and keeps the pseudonymous proof of notices and acknowledgements", async () => {
    const before = await getProofLedger("ledger-0");
    expect((await subscriberCall("DELETE", "ledger-0")).status).toBe(200);
    const after = await getProofLedger("ledger-0");
    expect(after).toEqual({ ...before, status: "erased", erasedAt: expect.any(String) });
    const { body } = await subscriberCall("GET", "ledger-0");
    expect(body.subscriber).toMatchObject({ email: null, name: null, attributes: null, status: "erased" });
    expect(body.acknowledgements).toHaveLength(1);
    expect(JSON.stringify(body)).not.toContain("ledger-0@example.test");
    // The command line proves it too.
    const printed = await redline(["proof", "ledger-0", "--format", "json"], {
      DATABASE_URL: process.env.DATABASE_URL!,
    });
    expect(JSON.parse(printed.stdout)).toMatchObject({ status: "erased", notices: [{ noticeId }] });
  });
});

describe("proof in the audit log", () => {
  it("records every sent batch with its provider ids and transport, the bounce and the acknowledgement", async () => {
    const entries = await db().select().from(auditLog);
    const bounced = await emailOf("ledger-2");
    const sent = entries.filter((e) => e.action === "delivery.sent" && e.details.noticeId === noticeId);
    expect(sent).toHaveLength(1);
    expect(sent[0].details.transport).toBe("capture");
    const listed = sent[0].details.deliveries as [number, number, string][];
    expect(listed.map((d) => d[2]).sort()).toEqual(
      (await Promise.all(["ledger-0", "ledger-1", "ledger-2"].map(emailOf)))
        .map((e) => e.providerMessageId)
        .sort(),
    );
    expect(entries.some((e) => e.action === "delivery.bounced" && e.details.deliveryId === bounced.id)).toBe(
      true,
    );
    const acked = entries.filter((e) => e.action === "notice.acknowledged" && e.versionId === versionId);
    expect(acked).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({
          externalId: "ledger-0",
          channel: "dashboard",
          acknowledgedAt: ackedAt,
        }),
      }),
    ]);
  });
});
