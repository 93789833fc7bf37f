/**
 * The product backend's notices API (API key): pending dashboard notices with their links, and
 * acknowledgements — idempotent, per subscriber, never about anybody else.
 */
import { and, count, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../app/models/api-keys.server";
import { db } from "../../app/models/db.server";
import { applyProviderEvent } from "../../app/models/deliveries.server";
import { startMailServer } from "../../app/notify/mail-server.server";
import * as listRoute from "../../app/routes/api.v1.subscribers.$externalId.notices._index";
import * as ackRoute from "../../app/routes/api.v1.subscribers.$externalId.notices.$noticeId.ack";
import { first as firstRow } from "../../db/dialect";
import { acknowledgements, auditLog, deliveries, subscribers } from "../../db/tables";
import { addSubscribers, publishFirst, publishMaterial, testDispatcher } from "./notify-support";
import { callRoute, noticeOf } from "./proof-support";

const BASE = "http://localhost:3000"; // PUBLIC_BASE_URL's default in tests
let key: string;
beforeAll(async () => {
  ({ key } = await createApiKey({ name: "notices-test", actor: { kind: "cli" } }));
});

const auth = (k: string | null = key): Record<string, string> => (k ? { authorization: `Bearer ${k}` } : {});

function list(externalId: string, apiKey: string | null = key) {
  return callRoute(listRoute, {
    path: `/api/v1/subscribers/${externalId}/notices`,
    params: { externalId },
    headers: auth(apiKey),
  });
}

function ack(externalId: string, noticeId: number | string, body?: unknown, apiKey: string | null = key) {
  return callRoute(ackRoute, {
    method: "POST",
    path: `/api/v1/subscribers/${externalId}/notices/${noticeId}/ack`,
    params: { externalId, noticeId: String(noticeId) },
    headers: { ...auth(apiKey), "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

const dashboard = (group: string, requireAck = true) => ({
  channels: ["email", "dashboard"] as ("email" | "dashboard")[],
  audience: { group },
  requireAck,
});

describe("GET /api/v1/subscribers/:externalId/notices", () => {
  it("lists a pending dashboard notice with title, summary, effective date and links to the policy and the redline", async () => {
    await publishFirst("api-list");
    await addSubscribers("api-list", 2);
    const v2 = await publishMaterial("api-list", dashboard("api-list"), "We now use Parcelpay.");
    const { status, body } = await list("api-list-0");
    expect(status).toBe(200);
    expect(body).toEqual({
      externalId: "api-list-0",
      notices: [
        {
          id: await noticeOf(v2.id),
          document: "api-list",
          locale: "en",
          title: "Privacy Policy",
          version: 2,
          summary: "We now use Parcelpay.",
          effectiveAt: v2.effectiveAt,
          lastUpdated: v2.lastUpdated,
          material: true,
          requiresAck: true,
          alsoCovers: [],
          emailUndelivered: false,
          links: {
            policy: `${BASE}/policies/api-list/versions/2`,
            redline: `${BASE}/policies/api-list/compare?from=1&to=2`,
          },
        },
      ],
    });
  });

  it("starts the redline at the version the person last acknowledged, and shows two pending versions as one", async () => {
    await publishFirst("api-from");
    await addSubscribers("api-from", 2);
    const v2 = await publishMaterial("api-from", dashboard("api-from"));
    expect((await ack("api-from-0", await noticeOf(v2.id))).status).toBe(201);
    const v3 = await publishMaterial("api-from", dashboard("api-from"));
    // Acknowledged 2: the redline of 3 starts at 2.
    const first = (await list("api-from-0")).body.notices as { id: number; links: { redline: string } }[];
    expect(first.map((n) => [n.id, n.links.redline])).toEqual([
      [await noticeOf(v3.id), `${BASE}/policies/api-from/compare?from=2&to=3`],
    ]);
    // Never acknowledged: one notice, the latest, whose redline covers both changes.
    const second = (await list("api-from-1")).body.notices as {
      id: number;
      version: number;
      alsoCovers: number[];
      links: { redline: string };
    }[];
    expect(second).toEqual([
      expect.objectContaining({
        id: await noticeOf(v3.id),
        version: 3,
        alsoCovers: [2],
        links: expect.objectContaining({ redline: `${BASE}/policies/api-from/compare?from=1&to=3` }),
      }),
    ]);
    // Acknowledging the latest closes the earlier one too.
    expect((await ack("api-from-1", await noticeOf(v3.id))).status).toBe(201);
    expect((await list("api-from-1")).body.notices).toEqual([]);
    const open = (await firstRow(
      db()
        .select({ n: count() })
        .from(deliveries)
        .innerJoin(subscribers, eq(subscribers.id, deliveries.subscriberId))
        .where(
          and(
            eq(subscribers.externalId, "api-from-1"),
            eq(deliveries.channel, "dashboard"),
            eq(deliveries.status, "pending"),
          ),
        ),
    ))!.n;
    expect(open).toBe(0);
  });

  it("answers 404 for an unknown subscriber and 401 without a valid API key", async () => {
    expect((await list("nobody-here")).status).toBe(404);
    expect((await list("api-list-0", null)).status).toBe(401);
    expect((await list("api-list-0", "rl_forged")).status).toBe(401);
  });

  it("shows nothing for a notice that was email only and delivered", async () => {
    await publishFirst("api-email");
    await addSubscribers("api-email", 1);
    await publishMaterial("api-email", { channels: ["email"], audience: { group: "api-email" } });
    const mail = await startMailServer();
    await testDispatcher(mail).drain();
    await mail.close();
    expect((await list("api-email-0")).body.notices).toEqual([]);
  });
});

describe("the dashboard as the fallback for email that did not arrive", () => {
  it("keeps the dashboard notice pending for a subscriber whose email bounced and marks it", async () => {
    await publishFirst("fallback");
    await addSubscribers("fallback", 2);
    const v2 = await publishMaterial("fallback", dashboard("fallback", false));
    const mail = await startMailServer();
    await testDispatcher(mail).drain();
    await mail.close();
    const sent = (await firstRow(
      db()
        .select({ id: deliveries.id, providerMessageId: deliveries.providerMessageId })
        .from(deliveries)
        .innerJoin(subscribers, eq(subscribers.id, deliveries.subscriberId))
        .where(and(eq(subscribers.externalId, "fallback-0"), eq(deliveries.channel, "email"))),
    ))!;
    expect(
      await applyProviderEvent({
        svixId: "msg_fallback_bounce",
        type: "email.bounced",
        providerMessageId: sent.providerMessageId,
        deliveryId: sent.id,
        bounceType: "Permanent",
        at: new Date().toISOString(),
      }),
    ).toBe("applied");
    const bounced = (await list("fallback-0")).body.notices as { id: number; emailUndelivered: boolean }[];
    const fine = (await list("fallback-1")).body.notices as { id: number; emailUndelivered: boolean }[];
    expect(bounced).toEqual([expect.objectContaining({ id: await noticeOf(v2.id), emailUndelivered: true })]);
    expect(fine).toEqual([expect.objectContaining({ id: await noticeOf(v2.id), emailUndelivered: false })]);
  });

  it("shows an email-only notice on the dashboard when the email failed, until it is acknowledged", async () => {
    await publishFirst("fallback-only");
    await addSubscribers("fallback-only", 2);
    const v2 = await publishMaterial("fallback-only", {
      channels: ["email"],
      audience: { group: "fallback-only" },
    });
    const mail = await startMailServer();
    // A permanent refusal by the provider: the batch and its emails fail at once.
    mail.injectFaults({ kind: "status", status: 422, times: 1 });
    await testDispatcher(mail).drain();
    await mail.close();
    const failed = (await firstRow(
      db()
        .select({ n: count() })
        .from(deliveries)
        .where(and(eq(deliveries.noticeId, await noticeOf(v2.id)), eq(deliveries.status, "failed"))),
    ))!.n;
    expect(failed).toBe(2);
    const pending = (await list("fallback-only-0")).body.notices as {
      id: number;
      emailUndelivered: boolean;
    }[];
    expect(pending).toEqual([expect.objectContaining({ id: await noticeOf(v2.id), emailUndelivered: true })]);
    expect((await ack("fallback-only-0", await noticeOf(v2.id), { channel: "email" })).status).toBe(201);
    expect((await list("fallback-only-0")).body.notices).toEqual([]);
  });
});

describe("POST /api/v1/subscribers/:externalId/notices/:noticeId/ack", () => {
  it("records the time and channel once, however often it is posted, and closes the dashboard notice", async () => {
    await publishFirst("api-ack");
    await addSubscribers("api-ack", 1);
    const v2 = await publishMaterial("api-ack", dashboard("api-ack"));
    const noticeId = await noticeOf(v2.id);
    const first = await ack("api-ack-0", noticeId);
    expect(first).toMatchObject({
      status: 201,
      body: { noticeId, document: "api-ack", version: 2, channel: "api", alreadyAcknowledged: false },
    });
    const again = await ack("api-ack-0", noticeId, { channel: "dashboard" });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, alreadyAcknowledged: true });
    const stored = await db().select().from(acknowledgements).where(eq(acknowledgements.versionId, v2.id));
    expect(stored).toEqual([
      expect.objectContaining({ channel: "api", acknowledgedAt: first.body.acknowledgedAt, noticeId }),
    ]);
    const dash = (await firstRow(
      db()
        .select({ status: deliveries.status, statusAt: deliveries.statusAt })
        .from(deliveries)
        .where(and(eq(deliveries.noticeId, noticeId), eq(deliveries.channel, "dashboard"))),
    ))!;
    expect(dash).toEqual({ status: "delivered", statusAt: first.body.acknowledgedAt });
    const audited = (
      await db().select().from(auditLog).where(eq(auditLog.action, "notice.acknowledged"))
    ).filter((e) => e.details.noticeId === noticeId);
    expect(audited).toHaveLength(1);
    expect(audited[0].details).toMatchObject({
      externalId: "api-ack-0",
      channel: "api",
      acknowledgedAt: first.body.acknowledgedAt,
      via: "api-key:notices-test",
    });
  });

  it("records the channel the backend names", async () => {
    await publishFirst("api-channel");
    await addSubscribers("api-channel", 1);
    const v2 = await publishMaterial("api-channel", dashboard("api-channel"));
    const recorded = await ack("api-channel-0", await noticeOf(v2.id), { channel: "dashboard" });
    expect(recorded.body).toMatchObject({ channel: "dashboard" });
  });

  it("answers 404, the same way, for an unknown notice and for another subscriber's notice, and writes nothing", async () => {
    await publishFirst("api-mine");
    await addSubscribers("api-mine", 1);
    await addSubscribers("api-theirs", 1);
    const mine = await publishMaterial("api-mine", dashboard("api-mine"));
    const acksBefore = (await firstRow(db().select({ n: count() }).from(acknowledgements)))!.n;
    const foreign = await ack("api-theirs-0", await noticeOf(mine.id));
    const unknown = await ack("api-theirs-0", 999_999);
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(Object.keys(foreign.body)).toEqual(["error"]);
    expect(foreign.body.error).not.toMatch(/api-mine/);
    expect((await ack("nobody-at-all", await noticeOf(mine.id))).status).toBe(404);
    expect((await ack("api-mine-0", "12abc")).status).toBe(404);
    expect((await firstRow(db().select({ n: count() }).from(acknowledgements)))!.n).toBe(acksBefore);
    // And the owner's notice is still pending.
    expect((await list("api-mine-0")).body.notices).toHaveLength(1);
  });

  it("refuses a bad body with 400 and a request without an API key with 401", async () => {
    await publishFirst("api-bad");
    await addSubscribers("api-bad", 1);
    const v2 = await publishMaterial("api-bad", dashboard("api-bad"));
    expect((await ack("api-bad-0", await noticeOf(v2.id), { channel: "carrier-pigeon" })).status).toBe(400);
    expect((await ack("api-bad-0", await noticeOf(v2.id), "{nope")).status).toBe(400);
    expect((await ack("api-bad-0", await noticeOf(v2.id), undefined, null)).status).toBe(401);
    expect(
      (await firstRow(
        db()
          .select({ n: count() })
          .from(acknowledgements)
          .where(sql`${acknowledgements.versionId} = ${v2.id}`),
      ))!.n,
    ).toBe(0);
  });
});
