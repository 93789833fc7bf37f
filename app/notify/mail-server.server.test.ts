/** The bundled mail server stays bounded in memory however long it runs. */
import { afterEach, describe, expect, it } from "vitest";
import { type MailServer, startMailServer } from "./mail-server.server";

let mail: MailServer | undefined;
afterEach(() => mail?.close());

async function send(server: MailServer, to: string, key: string, subject = "Hello") {
  const response = await fetch(`${server.url}/emails`, {
    method: "POST",
    headers: { authorization: "Bearer re_test", "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ from: "Redline <notices@example.test>", to, subject, text: "Hi" }),
  });
  return response.status;
}

describe("the bundled mail server's memory", () => {
  it("keeps at most the configured messages, request log entries and idempotency keys, newest first kept", async () => {
    mail = await startMailServer({ maxMessages: 5, maxRequests: 4, maxIdempotencyKeys: 3 });
    for (let i = 0; i < 12; i++) expect(await send(mail, `p${i}@example.test`, `key-${i}`)).toBe(200);
    expect(mail.messages().map((m) => m.to[0])).toEqual([7, 8, 9, 10, 11].map((i) => `p${i}@example.test`));
    expect(mail.requests().map((r) => r.idempotencyKey)).toEqual(["key-8", "key-9", "key-10", "key-11"]);
    expect(mail.idempotencyKeys()).toBe(3);

    // A remembered key still replays; a forgotten one is a new request (Resend's answer after expiry).
    expect(await send(mail, "p11@example.test", "key-11")).toBe(200);
    expect(await send(mail, "p0@example.test", "key-0", "Another subject")).toBe(200);
    expect(
      mail
        .requests()
        .slice(-2)
        .map((r) => r.outcome),
    ).toEqual(["replayed", "accepted"]);
    expect(mail.messages()).toHaveLength(5);
    expect(mail.requests()).toHaveLength(4);
    expect(mail.idempotencyKeys()).toBe(3);
  });

  it("forgets idempotency keys after their lifetime even below the cap", async () => {
    mail = await startMailServer({ idempotencyTtlMs: 50 });
    expect(await send(mail, "a@example.test", "first")).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await send(mail, "b@example.test", "second")).toBe(200);
    expect(mail.idempotencyKeys()).toBe(1);
    expect(await send(mail, "a@example.test", "first")).toBe(200);
    expect(mail.requests().at(-1)?.outcome).toBe("accepted");
    expect(mail.recipientCounts().get("a@example.test")).toBe(2);
  });
});
