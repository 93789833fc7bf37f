import { Resend } from "resend";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MailServer, startMailServer } from "../../app/notify/mail-server.server";

let mail: MailServer;
let resend: Resend;
beforeAll(async () => {
  mail = await startMailServer();
  resend = new Resend("re_test_key", { baseUrl: mail.url });
});
afterAll(() => mail.close());
beforeEach(() => mail.reset());

const email = (to: string, subject = "Hello") => ({
  from: "Redline <notices@example.test>",
  to,
  subject,
  html: "<p>Hi</p>",
  text: "Hi",
});

describe("the bundled mail server, through the Resend SDK", () => {
  it("accepts a batch and answers with one id per email, like Resend", async () => {
    const { data, error } = await resend.batch.send([email("a@example.test"), email("b@example.test")]);
    expect(error).toBeNull();
    expect(data?.data).toHaveLength(2);
    expect(mail.messages().map((m) => [m.id, m.to[0]])).toEqual([
      [data?.data[0].id, "a@example.test"],
      [data?.data[1].id, "b@example.test"],
    ]);
  });

  it("sends a single email on POST /emails", async () => {
    const { data } = await resend.emails.send(email("single@example.test"));
    expect(mail.messages()[0]).toMatchObject({ id: data?.id, to: ["single@example.test"], subject: "Hello" });
  });

  it("answers a repeated idempotency key with the first response and sends nothing again", async () => {
    const first = await resend.batch.send([email("a@example.test")], { idempotencyKey: "notice-1-batch-1" });
    const again = await resend.batch.send([email("a@example.test")], { idempotencyKey: "notice-1-batch-1" });
    expect(again.data).toEqual(first.data);
    expect(mail.recipientCounts().get("a@example.test")).toBe(1);
    expect(mail.requests().map((r) => r.outcome)).toEqual(["accepted", "replayed"]);
  });

  it("refuses the same idempotency key with a different body with 409", async () => {
    await resend.batch.send([email("a@example.test")], { idempotencyKey: "notice-1-batch-2" });
    const changed = await resend.batch.send([email("a@example.test", "Other")], {
      idempotencyKey: "notice-1-batch-2",
    });
    expect(changed.error).toMatchObject({ statusCode: 409, name: "invalid_idempotent_request" });
    expect(mail.messages()).toHaveLength(1);
  });

  it("refuses a batch of more than 100 emails", async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => email(`x${i}@example.test`));
    const { error } = await resend.batch.send(tooMany);
    expect(error).toMatchObject({ statusCode: 422, name: "validation_error" });
    expect(mail.messages()).toHaveLength(0);
  });

  it("answers 429 with retry-after above the configured rate", async () => {
    mail.setRate(2);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await resend.batch.send([email(`r${i}@example.test`)]));
    expect(results.map((r) => r.error?.statusCode ?? 200)).toEqual([200, 200, 429]);
    expect(results[2].headers?.["retry-after"]).toBe("1");
    expect(mail.messages()).toHaveLength(2);
  });

  it("injects faults on request: a 500, then normal service", async () => {
    mail.injectFaults({ kind: "status", status: 500 });
    expect((await resend.batch.send([email("f@example.test")])).error?.statusCode).toBe(500);
    expect((await resend.batch.send([email("f@example.test")])).error).toBeNull();
  });

  it("refuses requests without an API key and lists captured mail over HTTP", async () => {
    const response = await fetch(`${mail.url}/emails`, {
      method: "POST",
      body: JSON.stringify(email("n@example.test")),
    });
    expect(response.status).toBe(401);
    await resend.emails.send(email("listed@example.test"));
    const list = (await (await fetch(`${mail.url}/_mail/messages?limit=5`)).json()) as {
      total: number;
      data: { to: string[] }[];
    };
    expect(list.total).toBe(1);
    expect(list.data[0].to).toEqual(["listed@example.test"]);
  });
});
