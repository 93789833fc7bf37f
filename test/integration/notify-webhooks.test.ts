import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnv } from "../../app/env.server";
import { db } from "../../app/models/db.server";
import { type MailServer, startMailServer } from "../../app/notify/mail-server.server";
import { action } from "../../app/routes/api.v1.webhooks.resend";
import { first } from "../../db/dialect";
import { deliveries, subscribers } from "../../db/tables";
import { testLoadContext } from "../support/load-context";
import { signWebhook } from "../support/webhook-signature";
import {
  addSubscribers,
  emailTo,
  publishFirst,
  publishMaterial,
  receivedBy,
  testDispatcher,
} from "./notify-support";

const SECRET = `whsec_${Buffer.from("redline-webhook-test-secret-32by").toString("base64")}`;
process.env.RESEND_WEBHOOK_SECRET = SECRET;
resetEnv();

let mail: MailServer;
beforeAll(async () => {
  mail = await startMailServer();
});
afterAll(() => mail.close());

let eventNumber = 0;
function signedRequest(event: unknown, { secret = SECRET, id = `msg_${++eventNumber}` } = {}) {
  const payload = JSON.stringify(event);
  const timestamp = new Date();
  const signature = signWebhook(secret, id, timestamp, payload);
  return new Request("http://localhost/api/v1/webhooks/resend", {
    method: "POST",
    body: payload,
    headers: {
      "content-type": "application/json",
      "svix-id": id,
      "svix-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
      "svix-signature": signature,
    },
  });
}
const post = async (request: Request) => {
  const response = await action({ request, params: {}, context: testLoadContext() });
  return { status: response.status, body: await response.json() };
};
const event = (type: string, emailId: string, extra: Record<string, unknown> = {}) => ({
  type,
  created_at: new Date().toISOString(),
  data: { email_id: emailId, to: ["someone@example.test"], ...extra },
});

async function sentNotice(group: string, count: number) {
  await publishFirst(group);
  const addresses = await addSubscribers(group, count);
  await publishMaterial(group, emailTo(group));
  await testDispatcher(mail).drain();
  const rows = (await db().select().from(deliveries)).filter(
    (d) =>
      d.providerMessageId &&
      addresses.includes(mail.messages().find((m) => m.id === d.providerMessageId)?.to[0] ?? ""),
  );
  return { addresses, rows };
}

describe("Resend webhooks", () => {
  it("are refused without a valid svix signature", async () => {
    const forged = signedRequest(event("email.delivered", "x"), {
      secret: `whsec_${Buffer.from("another-secret-another-secret-32").toString("base64")}`,
    });
    expect((await post(forged)).status).toBe(401);
    const unsigned = new Request("http://localhost/api/v1/webhooks/resend", {
      method: "POST",
      body: JSON.stringify(event("email.delivered", "x")),
    });
    expect((await post(unsigned)).status).toBe(401);
  });

  it("move a delivery to delivered, once per svix-id", async () => {
    const { rows } = await sentNotice("hook-delivered", 2);
    const request = () =>
      signedRequest(event("email.delivered", rows[0].providerMessageId!), { id: "msg_fixed" });
    expect(await post(request())).toEqual({ status: 200, body: { outcome: "applied" } });
    expect(await post(request())).toEqual({ status: 200, body: { outcome: "duplicate" } });
    const stored = (await first(db().select().from(deliveries).where(eq(deliveries.id, rows[0].id))))!;
    expect(stored.status).toBe("delivered");
  });

  it("stop all further email to a subscriber whose address bounced or who complained", async () => {
    const { rows } = await sentNotice("hook-bounce", 3);
    await post(
      signedRequest(event("email.bounced", rows[0].providerMessageId!, { bounce: { type: "Permanent" } })),
    );
    await post(signedRequest(event("email.complained", rows[1].providerMessageId!)));
    // A late "delivered" does not undo the bounce.
    await post(signedRequest(event("email.delivered", rows[0].providerMessageId!)));
    const statusOf = async (id: number) =>
      (await first(db().select().from(deliveries).where(eq(deliveries.id, id))))!.status;
    expect([await statusOf(rows[0].id), await statusOf(rows[1].id), await statusOf(rows[2].id)]).toEqual([
      "bounced",
      "complained",
      "sent",
    ]);
    const people = await first(
      db()
        .select({ status: subscribers.status })
        .from(subscribers)
        .where(eq(subscribers.id, rows[0].subscriberId)),
    );
    expect(people?.status).toBe("bounced");

    mail.reset();
    await publishMaterial("hook-bounce", emailTo("hook-bounce"));
    await testDispatcher(mail).drain();
    expect(
      receivedBy(mail, [
        "hook-bounce-0@example.test",
        "hook-bounce-1@example.test",
        "hook-bounce-2@example.test",
      ]),
    ).toEqual([0, 0, 1]);
  });

  it("ask to be sent again when the email is ours but its id is not recorded yet", async () => {
    await publishFirst("hook-early");
    await addSubscribers("hook-early", 1);
    await publishMaterial("hook-early", emailTo("hook-early"));
    const { claimBatch } = await import("../../app/models/deliveries.server");
    const claimed = (await claimBatch({ owner: "test", leaseMs: 60_000 }))!;
    const early = event("email.delivered", "not-recorded-yet", {
      tags: { redline_delivery: String(claimed.members[0].deliveryId) },
    });
    expect((await post(signedRequest(early, { id: "msg_early" }))).status).toBe(503);
    // Not remembered as processed: the retry is handled normally.
    expect((await post(signedRequest(early, { id: "msg_early" }))).status).toBe(503);
  });

  it("refuse a signature more than five minutes old, and a signed body that is not JSON", async () => {
    const raw = (payload: string, timestamp: Date) =>
      new Request("http://localhost/api/v1/webhooks/resend", {
        method: "POST",
        body: payload,
        headers: {
          "content-type": "application/json",
          "svix-id": `msg_raw_${++eventNumber}`,
          "svix-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
          "svix-signature": signWebhook(SECRET, `msg_raw_${eventNumber}`, timestamp, payload),
        },
      });
    const stale = await post(
      raw(JSON.stringify(event("email.delivered", "x")), new Date(Date.now() - 6 * 60_000)),
    );
    expect(stale.status).toBe(401);
    for (const payload of ["", "not json"]) {
      expect(await post(raw(payload, new Date()))).toEqual({
        status: 400,
        body: { error: "the event is not valid JSON" },
      });
    }
  });
});
