/**
 * Password guessing over real HTTP against the real server (ADR 10). Clients at different
 * addresses are played by binding to different loopback addresses (127.x.y.z). A 401 means a
 * password was really checked; a 429 means the throttle answered without checking it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../support/admin-client";
import { type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "throttle password 123";
let server: RunningServer;
let admin: AdminClient;

async function addUser(email: string, role = "viewer") {
  const response = await admin.post("/admin/users", { intent: "add-user", email, role, password: PASSWORD });
  expect(response.status).toBe(200);
}

/** Counts answers by status; every 429 must say when to come back. */
function tally(responses: Response[]) {
  const counts: Record<number, number> = {};
  for (const response of responses) {
    counts[response.status] = (counts[response.status] ?? 0) + 1;
    if (response.status === 429)
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  }
  return counts;
}

/** A client at its own loopback address with the sign-in form open. */
async function clientAt(address: string) {
  const client = new AdminClient(server.url, { localAddress: address });
  const token = await client.openSignIn();
  return { client, token };
}

async function userIdOf(email: string): Promise<string> {
  const html = await (await admin.get("/admin/users")).text();
  const row = html.split("<tr").find((r) => r.includes(`<td>${email}`)) ?? "";
  return /name="userId" value="(\d+)"/.exec(row)?.[1] ?? "";
}

beforeAll(async () => {
  server = await startServer();
  const added = await redline(
    ["user", "add", "admin@example.com", "--role", "admin", "--password", PASSWORD],
    {
      DATABASE_URL: server.databaseUrl,
    },
  );
  expect(added.code).toBe(0);
  admin = new AdminClient(server.url);
  expect((await admin.signIn("admin@example.com", PASSWORD)).status).toBe(302);
});
afterAll(() => server?.stop());

describe("sign-in throttling over HTTP", () => {
  it("checks only five of 60 concurrent wrong passwords for one account from one address", async () => {
    await addUser("concurrent@example.com");
    const { client, token } = await clientAt("127.0.1.1");
    const responses = await Promise.all(
      Array.from({ length: 60 }, () =>
        client.submitSignIn(token, "concurrent@example.com", "wrong password"),
      ),
    );
    expect(tally(responses)).toEqual({ 401: 5, 429: 55 });
    const refused = responses.find((r) => r.status === 429)!;
    // About 30 seconds from the fifth failure, rounded up; the 60 answers take a moment to write.
    expect(await refused.text()).toMatch(/Too many failed sign-ins\. Try again in (29|30|31) seconds\./);
    // The right password from there waits too: the pair of account and address is slowed down.
    const right = await client.submitSignIn(token, "concurrent@example.com", PASSWORD);
    expect(right.status).toBe(429);
    expect(right.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("gives an attacker with many addresses the account's budget only, and never keeps its owner's browser out", async () => {
    await addUser("owner@example.com");
    const owner = new AdminClient(server.url, { localAddress: "127.0.2.1" });
    expect((await owner.signIn("owner@example.com", PASSWORD)).status).toBe(302);

    const attackers = await Promise.all(Array.from({ length: 40 }, (_, i) => clientAt(`127.0.3.${i + 1}`)));
    const responses = await Promise.all(
      attackers.map(({ client, token }) => client.submitSignIn(token, "owner@example.com", "guess 123456")),
    );
    // Ten password checks for the account across all forty addresses, however fast they come.
    expect(tally(responses)).toEqual({ 401: 10, 429: 30 });

    // The owner's browser signed in before: it has its own budget and is not delayed.
    const again = new AdminClient(server.url, { localAddress: "127.0.2.9" });
    // (Same browser, new network: the trusted-browser cookie travels with it.)
    again.setCookie("redline_device", owner.getCookie("redline_device")!);
    expect((await again.signIn("owner@example.com", PASSWORD)).status).toBe(302);

    // A browser that never signed in to the account waits with the attackers …
    const newLaptop = new AdminClient(server.url, { localAddress: "127.0.2.2" });
    const delayed = await newLaptop.signIn("owner@example.com", PASSWORD);
    expect(delayed.status).toBe(429);
    expect(Number(delayed.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);

    // … until an admin lifts the account's limits, which the Users page shows and the audit log records.
    const users = await (await admin.get("/admin/users")).text();
    expect(users).toMatch(/failed attempts; new attempts wait until/);
    const lifted = await admin.post("/admin/users", {
      intent: "lift-limits",
      userId: await userIdOf("owner@example.com"),
    });
    expect(lifted.status).toBe(200);
    expect(await lifted.text()).toContain("Sign-in limits lifted");
    expect((await newLaptop.signIn("owner@example.com", PASSWORD)).status).toBe(302);
    expect(await (await admin.get("/admin/audit")).text()).toContain("user.sign-in-limits-lifted");
  });

  it("slows down one address that tries many accounts, but not a browser trusted for its own account", async () => {
    await addUser("colleague@example.com");
    const colleague = new AdminClient(server.url, { localAddress: "127.0.4.1" });
    expect((await colleague.signIn("colleague@example.com", PASSWORD)).status).toBe(302);

    const { client, token } = await clientAt("127.0.4.1");
    const responses: Response[] = [];
    for (let i = 0; i < 40; i++)
      responses.push(await client.submitSignIn(token, `person${i}@example.com`, "spring 2026 password"));
    expect(tally(responses)).toEqual({ 401: 30, 429: 10 });
    expect(responses.slice(30).every((r) => r.status === 429)).toBe(true);

    // Another person at the same address (the same office), from their own browser, is not affected.
    const fresh = new AdminClient(server.url, { localAddress: "127.0.4.1" });
    fresh.setCookie("redline_device", colleague.getCookie("redline_device")!);
    expect((await fresh.signIn("colleague@example.com", PASSWORD)).status).toBe(302);
  });

  it("throttles the current-password check on the account page, and an admin can lift it", async () => {
    await addUser("stolen@example.com");
    const thief = new AdminClient(server.url);
    expect((await thief.signIn("stolen@example.com", PASSWORD)).status).toBe(302);
    const change = (current: string) =>
      thief.post("/admin/account", {
        intent: "change-password",
        currentPassword: current,
        newPassword: "a brand new password",
        confirmPassword: "a brand new password",
      });
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => change(`guess ${i}`)));
    expect(tally(responses)).toEqual({ 400: 5, 429: 7 });
    const refused = responses.find((r) => r.status === 429)!;
    expect(await refused.text()).toContain("Too many wrong current passwords");
    expect((await change(PASSWORD)).status).toBe(429);

    const lifted = await admin.post("/admin/users", {
      intent: "lift-limits",
      userId: await userIdOf("stolen@example.com"),
    });
    expect(lifted.status).toBe(200);
    const changed = await change(PASSWORD);
    expect(changed.status).toBe(200);
    expect(await changed.text()).toContain("Password changed.");
  });

  it("says nothing about whether an account exists: unknown emails are throttled the same way", async () => {
    const { client, token } = await clientAt("127.0.5.1");
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => client.submitSignIn(token, "nobody@example.com", "wrong password")),
    );
    expect(tally(responses)).toEqual({ 401: 5, 429: 15 });
  });
});
