/**
 * Honest mail transport over real HTTP (ADR 0009, addendum): every email records what carried it — a
 * Resend-compatible provider, or capture (kept on the sending machine, delivered to nobody), even
 * when the settings named the capture server as a provider — and the proof, the notice page and
 * the workspace say so.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MailServer } from "../../app/notify/mail-server.server";
import { startMailServer } from "../../app/notify/mail-server.server";
import { AdminClient } from "../support/admin-client";
import { type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "transport test password 1";
const BANNER = "Email is captured on this machine and not delivered to anyone";

/**
 * A Resend-compatible provider that is not a capture server: it accepts batches with Resend's
 * answer shape (and nothing else), as another provider or a relay would.
 */
async function startProvider(): Promise<{ url: string; accepted: string[]; close: () => Promise<void> }> {
  const accepted: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/emails/batch") {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ name: "not_found", message: "Not found", statusCode: 404 }));
        return;
      }
      const emails = JSON.parse(body) as { to: string | string[] }[];
      for (const email of emails) accepted.push(...[email.to].flat());
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data: emails.map(() => ({ id: randomUUID() })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

type Ledger = {
  notices: {
    noticeId: number;
    deliveries: { channel: string; status: string; transport: string | null; sentAt: string | null }[];
  }[];
};

/** One Redline server with an admin and a viewer signed in and one material notice to `person-1`. */
type Setup = {
  server: RunningServer;
  admin: AdminClient;
  viewer: AdminClient;
  noticeId: number;
  env: Record<string, string>;
  /** The product backend's API key. */
  key: string;
};

async function setUp(settings: Record<string, string>): Promise<Setup> {
  const server = await startServer({ SEND_RATE_PER_SECOND: "50", ...settings });
  const env = { DATABASE_URL: server.databaseUrl, LOG_LEVEL: "warn" };
  for (const role of ["admin", "viewer"] as const) {
    const added = await redline(
      ["user", "add", `${role}@example.test`, "--role", role, "--password", PASSWORD],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
  }
  const key = (await redline(["apikey", "create", "transport"], env)).stdout.trim();
  const put = await fetch(`${server.url}/api/v1/subscribers/person-1`, {
    method: "PUT",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ email: "person-1@example.test" }),
  });
  expect(put.status).toBe(201);
  const file = join(mkdtempSync(join(tmpdir(), "mail-transport-")), "privacy.md");
  writeFileSync(
    file,
    `${readFileSync("content/privacy.md", "utf8")}\n\n## Payments\n\nWe now use Parcelpay.\n`,
  );
  expect((await redline(["import", "privacy", file], env)).code).toBe(0);
  const published = await redline(
    [
      "publish",
      "privacy",
      "--material",
      "--summary",
      "We now use Parcelpay.",
      "--notify",
      "email,dashboard",
      "--format",
      "json",
    ],
    env,
  );
  expect(published.code, published.stderr).toBe(0);
  const noticeId = JSON.parse(published.stdout).notices[0].id as number;
  const admin = new AdminClient(server.url);
  const viewer = new AdminClient(server.url);
  expect((await admin.signIn("admin@example.test", PASSWORD)).status).toBe(302);
  expect((await viewer.signIn("viewer@example.test", PASSWORD)).status).toBe(302);
  return { server, admin, viewer, noticeId, env, key };
}

/** The ledger of `person-1` once the in-process dispatcher has handed the email over. */
async function ledgerOnceSent(env: Record<string, string>): Promise<Ledger> {
  for (let i = 0; i < 100; i++) {
    const printed = await redline(["proof", "person-1", "--format", "json"], env);
    expect(printed.code, printed.stderr).toBe(0);
    const ledger = JSON.parse(printed.stdout) as Ledger;
    if (ledger.notices[0]?.deliveries.find((d) => d.channel === "email")?.sentAt) return ledger;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the email was not sent");
}

const emailOf = (ledger: Ledger) => ledger.notices[0].deliveries.find((d) => d.channel === "email")!;
const dashboardOf = (ledger: Ledger) => ledger.notices[0].deliveries.find((d) => d.channel === "dashboard")!;

/** The HTML of the table row carrying `attribute="value"`. */
function rowOf(page: string, attribute: string, value: string): string {
  const row = new RegExp(`<tr[^>]*${attribute}="${value}"[^>]*>([\\s\\S]*?)</tr>`).exec(page);
  expect(row, `${attribute}=${value}`).not.toBeNull();
  return row![1];
}

describe("a Resend-compatible provider at RESEND_BASE_URL", () => {
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let setup: Setup;
  beforeAll(async () => {
    provider = await startProvider();
    setup = await setUp({ MAIL_TRANSPORT: "", RESEND_BASE_URL: provider.url });
  });
  afterAll(async () => {
    await setup?.server.stop();
    await provider?.close();
  });

  it("is recorded on the delivery as that server's origin, in the ledger JSON and text", async () => {
    const ledger = await ledgerOnceSent(setup.env);
    expect(provider.accepted).toEqual(["person-1@example.test"]);
    expect(emailOf(ledger)).toMatchObject({ status: "sent", transport: `resend-compatible ${provider.url}` });
    expect(dashboardOf(ledger).transport).toBeNull();
    const text = await redline(["proof", "person-1"], setup.env);
    expect(text.stdout).toMatch(new RegExp(`email +sent · transport resend-compatible ${provider.url} · `));
    expect(text.stdout).not.toContain("captured");
    const access = await redline(["notify", "status", "privacy", "2"], setup.env);
    expect(access.stdout).toContain(`via       resend-compatible ${provider.url} 1`);
  });

  it("shows the transport on the subscriber's and the notice's pages, and no capture warning anywhere", async () => {
    const subscriber = await (await setup.viewer.get("/admin/subscribers/person-1")).text();
    const row = rowOf(subscriber, "data-channel", "email");
    expect(row).toContain(`resend-compatible ${provider.url}`);
    expect(row).toContain('data-status="sent"');
    expect(row).not.toContain("captured");
    const notice = await (await setup.viewer.get(`/admin/notices/${setup.noticeId}`)).text();
    const label = `resend-compatible ${provider.url}`;
    expect(notice).toContain(`<span data-transport="${label}">${label} — 1 email</span>`);
    expect(notice).toContain('data-status="sent">1<');
    expect(notice).not.toContain("captured, not delivered");
    for (const path of ["/admin", "/admin/notices", `/admin/notices/${setup.noticeId}`]) {
      expect(await (await setup.admin.get(path)).text(), path).not.toContain(BANNER);
    }
  });
});

describe("the bundled capture server named as a provider (RESEND_BASE_URL)", () => {
  let mail: MailServer;
  let setup: Setup;
  beforeAll(async () => {
    mail = await startMailServer();
    setup = await setUp({ MAIL_TRANSPORT: "", RESEND_BASE_URL: mail.url });
  });
  afterAll(async () => {
    await setup?.server.stop();
    await mail?.close();
  });

  it("is recorded as capture whatever the settings said, and the workspace warns from then on", async () => {
    const ledger = await ledgerOnceSent(setup.env);
    expect(mail.messages().map((m) => m.to)).toEqual([["person-1@example.test"]]);
    expect(emailOf(ledger)).toMatchObject({ status: "sent", transport: "capture" });
    const text = await redline(["proof", "person-1"], setup.env);
    expect(text.stdout).toMatch(
      /email +captured, not delivered · transport capture \(kept on the sending machine\)/,
    );
    const page = await (await setup.admin.get("/admin")).text();
    expect(page).toContain(BANNER);
    // The captured-mail page lists what that server kept.
    const captured = await (await setup.admin.get("/admin/notices/mail")).text();
    expect(captured).toContain("person-1@example.test");
  });
});

describe("capture chosen with MAIL_TRANSPORT=capture", () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await setUp({ MAIL_TRANSPORT: "capture" });
  });
  afterAll(() => setup?.server.stop());

  it("records capture on the email, never a bare sent, in the ledger, `redline proof` and the access export", async () => {
    const ledger = await ledgerOnceSent(setup.env);
    expect(emailOf(ledger)).toMatchObject({ status: "sent", transport: "capture" });
    expect(dashboardOf(ledger).transport).toBeNull();
    const text = (await redline(["proof", "person-1"], setup.env)).stdout;
    expect(text).toMatch(/email +captured, not delivered · transport capture .* · captured \d{4}-/);
    expect(text).not.toMatch(/email +sent/);
    const status = await redline(["notify", "status", "privacy", "2"], setup.env);
    expect(status.stdout).toContain("1 captured, not delivered to anyone");
    const access = await fetch(`${setup.server.url}/api/v1/subscribers/person-1`, {
      headers: { authorization: `Bearer ${setup.key}` },
    });
    const body = (await access.json()) as { deliveries: { channel: string; transport: string | null }[] };
    expect(body.deliveries.map((d) => [d.channel, d.transport])).toEqual([
      ["dashboard", null],
      ["email", "capture"],
    ]);
    const csv = (await (await setup.viewer.get(`/admin/acknowledgements/${setup.noticeId}/csv`)).text())
      .trim()
      .split("\r\n");
    const column = csv[0].split(",").indexOf('"emailTransport"');
    expect(column).toBeGreaterThan(0);
    expect(csv[1].split(",")[column]).toBe('"capture"');
  });

  it("shows captured, not delivered on the subscriber's page, the notice page and the notice list", async () => {
    const subscriber = await (await setup.viewer.get("/admin/subscribers/person-1")).text();
    const row = rowOf(subscriber, "data-channel", "email");
    expect(row).toContain("captured, not delivered");
    expect(row).toContain('data-transport="capture"');
    const notice = await (await setup.viewer.get(`/admin/notices/${setup.noticeId}`)).text();
    expect(notice).toContain("1 email was captured, not delivered: kept on the sending machine");
    expect(notice).toContain("capture (kept on the sending machine) — 1 email (captured, not delivered)");
    expect(notice).toMatch(/<th>captured, not delivered<\/th>/);
    expect(notice).toMatch(/data-status="captured">1</);
    expect(notice).toMatch(/data-status="sent">0</);
    const list = await (await setup.viewer.get("/admin/notices")).text();
    expect(list).toContain("1 captured, not delivered");
  });

  it("warns on every workspace page, with the link to the captured mail for admins only", async () => {
    for (const path of [
      "/admin",
      "/admin/documents",
      "/admin/notices",
      `/admin/notices/${setup.noticeId}`,
      "/admin/subscribers/person-1",
      "/admin/audit",
      "/admin/account",
    ]) {
      const page = await (await setup.admin.get(path)).text();
      expect(page, path).toContain(BANNER);
      expect(page, path).toContain('href="/admin/notices/mail"');
    }
    const viewerPage = await (await setup.viewer.get("/admin/documents")).text();
    expect(viewerPage).toContain(BANNER);
    expect(viewerPage).not.toContain('href="/admin/notices/mail"');
    // Also on an error page inside the workspace.
    const missing = await setup.admin.get("/admin/subscribers/nobody");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain(BANNER);
  });
});
