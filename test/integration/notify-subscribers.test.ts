import { count, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../app/models/api-keys.server";
import { db } from "../../app/models/db.server";
import { startMailServer } from "../../app/notify/mail-server.server";
import { action, loader } from "../../app/routes/api.v1.subscribers.$externalId";
import { first } from "../../db/dialect";
import { auditLog, deliveries, subscribers } from "../../db/tables";
import { testLoadContext } from "../support/load-context";
import { emailTo, publishFirst, publishMaterial, receivedBy, testDispatcher } from "./notify-support";

let key: string;
beforeAll(async () => {
  ({ key } = await createApiKey({ name: "subscribers-test", actor: { kind: "cli" } }));
});

async function call(method: string, externalId: string, body?: unknown, auth: string | null = key) {
  const request = new Request(`http://localhost/api/v1/subscribers/${encodeURIComponent(externalId)}`, {
    method,
    headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const args = { request, params: { externalId }, context: testLoadContext() };
  let response: Response;
  try {
    response = method === "GET" ? await loader(args) : await action(args);
  } catch (thrown) {
    if (thrown instanceof Response) response = thrown;
    else throw thrown;
  }
  return { status: response.status, body: await response.json() };
}
const subscriberCount = async () => (await first(db().select({ n: count() }).from(subscribers)))!.n;

describe("the subscribers API", () => {
  it("refuses requests without a valid API key", async () => {
    expect((await call("GET", "anyone", undefined, null)).status).toBe(401);
    expect((await call("PUT", "anyone", { email: "a@example.test" }, "rl_wrong")).status).toBe(401);
    expect((await call("DELETE", "anyone", undefined, null)).status).toBe(401);
  });

  it("creates a subscriber with PUT, then updates it", async () => {
    const created = await call("PUT", "user-1", {
      email: "ann@example.test",
      name: "Ann",
      locale: "de",
      attributes: { region: "EU", plan: "team" },
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        externalId: "user-1",
        email: "ann@example.test",
        status: "active",
        attributes: { region: "EU" },
      },
    });
    const updated = await call("PUT", "user-1", { email: "ann@example.test", attributes: { region: "US" } });
    expect(updated).toMatchObject({
      status: 200,
      body: { name: null, locale: "en", attributes: { region: "US" } },
    });
  });

  it("answers bad input with 4xx and the reasons, writing nothing", async () => {
    const before = await subscriberCount();
    const cases: [string, unknown, number, RegExp][] = [
      ["bad-email", { email: "not-an-address" }, 400, /is not an email address/],
      ["unknown-field", { email: "a@example.test", password: "x" }, 400, /password/],
      [
        "bad-attributes",
        { email: "a@example.test", attributes: { region: 5 } },
        400,
        /attribute \W+region\W+ must be a string/,
      ],
      ["bad-locale", { email: "a@example.test", locale: "English!" }, 400, /locale/],
      ["not-json", "{nope", 400, /not valid JSON/],
      ["too-big", { email: "a@example.test", name: "x".repeat(20_000) }, 413, /larger than/],
      ["bad id!", { email: "a@example.test" }, 400, /not a valid externalId/],
    ];
    for (const [id, body, status, reason] of cases) {
      const response = await call("PUT", id, body);
      expect(response.status, id).toBe(status);
      expect(JSON.stringify(response.body), id).toMatch(reason);
    }
    expect(await subscriberCount()).toBe(before);
  });

  it("answers 404 for an unknown subscriber", async () => {
    expect((await call("GET", "nobody")).status).toBe(404);
    expect((await call("DELETE", "nobody")).status).toBe(404);
  });

  it("returns everything stored about a subscriber, including the notices they were sent", async () => {
    await call("PUT", "access-1", {
      email: "access@example.test",
      name: "Ace",
      attributes: { group: "access" },
    });
    await publishFirst("access");
    const mail = await startMailServer();
    const version = await publishMaterial("access", emailTo("access"));
    await testDispatcher(mail).drain();
    await mail.close();
    const { status, body } = await call("GET", "access-1");
    expect(status).toBe(200);
    expect(body.subscriber).toMatchObject({
      externalId: "access-1",
      email: "access@example.test",
      name: "Ace",
    });
    expect(body.deliveries).toEqual([
      expect.objectContaining({
        document: "access",
        version: version.number,
        channel: "email",
        status: "sent",
      }),
    ]);
    expect(body.deliveries[0].providerMessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.acknowledgements).toEqual([]);
  });

  it("erases the personal data on DELETE, keeps the pseudonymous proof, and erased people get nothing", async () => {
    await call("PUT", "erase-1", {
      email: "erase@example.test",
      name: "Eve",
      attributes: { group: "erase" },
    });
    await publishFirst("erase");
    await publishMaterial("erase", emailTo("erase"));
    expect(await call("DELETE", "erase-1")).toEqual({
      status: 200,
      body: { externalId: "erase-1", status: "erased", alreadyErased: false },
    });
    expect((await call("DELETE", "erase-1")).body.alreadyErased).toBe(true);

    const stored = (await first(
      db().select().from(subscribers).where(eq(subscribers.externalId, "erase-1")),
    ))!;
    expect(stored).toMatchObject({ email: null, name: null, attributes: null, status: "erased" });
    expect(
      JSON.stringify(await db().select().from(deliveries).where(eq(deliveries.subscriberId, stored.id))),
    ).not.toContain("erase@example.test");
    const audit = (await db().select().from(auditLog)).filter((e) => e.action === "subscriber.erased");
    expect(audit.at(-1)?.details).toMatchObject({ externalId: "erase-1", via: "api-key:subscribers-test" });

    const mail = await startMailServer();
    await testDispatcher(mail).drain();
    expect(receivedBy(mail, ["erase@example.test"])).toEqual([0]);
    await mail.close();
    // The record of the notice stays, without the address.
    const { body } = await call("GET", "erase-1");
    expect(body.deliveries).toEqual([expect.objectContaining({ status: "skipped" })]);
    // And the erased id cannot be filled with personal data again.
    expect((await call("PUT", "erase-1", { email: "eve@example.test" })).status).toBe(409);
  });

  it("gives a bounced subscriber a fresh start only with a new address", async () => {
    await call("PUT", "bouncy", { email: "old@example.test" });
    await db().update(subscribers).set({ status: "bounced" }).where(eq(subscribers.externalId, "bouncy"));
    expect((await call("PUT", "bouncy", { email: "old@example.test" })).body.status).toBe("bounced");
    expect((await call("PUT", "bouncy", { email: "new@example.test" })).body.status).toBe("active");
  });
});
