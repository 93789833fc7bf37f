/**
 * The whole path under `npm start`: the server runs the bundled mail server and the dispatcher
 * in-process; the product's backend registers a subscriber over HTTP; the operator publishes a
 * material change with `--notify email`; the email arrives at the captured-mail listing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, redline, startServer } from "../support/server";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_PER_SECOND: "50" });
});
afterAll(() => server.stop());

const env = () => ({ DATABASE_URL: server.databaseUrl, NODE_ENV: "test", LOG_LEVEL: "warn" });

describe("notices under npm start", () => {
  it("prints where captured mail can be seen, and delivers a published notice to it", async () => {
    for (let i = 0; i < 50 && !server.output().includes("Email is captured"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const captured =
      /Email is captured, not delivered \(MAIL_TRANSPORT=capture\): \S+ — API (http:\/\/127\.0\.0\.1:\d+)\/_mail\/messages/.exec(
        server.output(),
      );
    expect(captured, server.output()).not.toBeNull();
    const mailUrl = captured![1];

    const key = (await redline(["apikey", "create", "server-test"], env())).stdout.trim();
    const put = await fetch(`${server.url}/api/v1/subscribers/person-1`, {
      method: "PUT",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "person-1@example.test", name: "Pat", attributes: { region: "EU" } }),
    });
    expect(put.status).toBe(201);
    expect((await fetch(`${server.url}/api/v1/subscribers/person-1`)).status).toBe(401);

    // The demo policy is version 1; change it so the draft is not "no changes".
    const { writeFileSync, readFileSync, mkdtempSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "notify-server-")), "privacy.md");
    writeFileSync(
      file,
      `${readFileSync("content/privacy.md", "utf8")}\n\n## Payments\n\nWe now use Parcelpay.\n`,
    );
    expect((await redline(["import", "privacy", file], env())).code).toBe(0);
    const published = await redline(
      [
        "publish",
        "privacy",
        "--material",
        "--summary",
        "We now use Parcelpay.",
        "--notify",
        "email",
        "--audience",
        '{"region":"EU"}',
      ],
      env(),
    );
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toMatch(/email to 1 subscribers in 1 batches/);

    let messages: { to: string[]; subject: string }[] = [];
    for (let i = 0; i < 100 && messages.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      messages = ((await (await fetch(`${mailUrl}/_mail/messages`)).json()) as { data: typeof messages })
        .data;
    }
    expect(messages).toEqual([expect.objectContaining({ to: ["person-1@example.test"] })]);
    const status = await redline(["notify", "status", "privacy", "2", "--format", "json"], env());
    expect(JSON.parse(status.stdout).notices[0].counts.email).toMatchObject({ sent: 1, pending: 0 });
  });
});
