/**
 * The workspace's side of dashboard notices and proof (ADR 0007) over real HTTP: who has and has not acknowledged (page and CSV), the
 * subscriber's proof ledger, and the embed secret and origins — each with its role and CSRF checks.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintUserToken } from "../../app/core/notify/user-token";
import { AdminClient } from "../support/admin-client";
import { type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "proof admin password 1";
let server: RunningServer;
let key: string;
let noticeId: number;
const admin = () => new AdminClient(server.url);
const clients: Record<"admin" | "viewer" | "anonymous", AdminClient> = {} as never;

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** The HTML of the table row carrying `attribute="value"`. */
function rowOf(page: string, attribute: string, value: string): string {
  const row = new RegExp(`<tr[^>]*${attribute}="${value}"[^>]*>([\\s\\S]*?)</tr>`).exec(page);
  expect(row, `${attribute}=${value}`).not.toBeNull();
  return row![1];
}

beforeAll(async () => {
  server = await startServer();
  const env = { DATABASE_URL: server.databaseUrl, LOG_LEVEL: "warn" };
  for (const role of ["admin", "viewer"] as const) {
    const added = await redline(
      ["user", "add", `${role}7@example.com`, "--role", role, "--password", PASSWORD],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
  }
  key = (await redline(["apikey", "create", "proof-admin"], env)).stdout.trim();
  for (const id of ["adm-1", "adm-2"]) {
    expect((await api("PUT", `/api/v1/subscribers/${id}`, { email: `${id}@example.test` })).status).toBe(201);
  }
  const file = join(mkdtempSync(join(tmpdir(), "proof-admin-")), "privacy.md");
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
      "--require-ack",
      "--format",
      "json",
    ],
    env,
  );
  expect(published.code, published.stderr).toBe(0);
  noticeId = JSON.parse(published.stdout).notices[0].id;
  expect((await api("POST", `/api/v1/subscribers/adm-1/notices/${noticeId}/ack`)).status).toBe(201);
  clients.anonymous = admin();
  clients.admin = admin();
  clients.viewer = admin();
  expect((await clients.admin.signIn("admin7@example.com", PASSWORD)).status).toBe(302);
  expect((await clients.viewer.signIn("viewer7@example.com", PASSWORD)).status).toBe(302);
});
afterAll(() => server?.stop());

describe("acknowledgements in the workspace", () => {
  it("shows a viewer who has and who has not acknowledged a notice", async () => {
    const page = await (await clients.viewer.get(`/admin/acknowledgements/${noticeId}`)).text();
    expect(page).toMatch(/1<!-- --> of <!-- -->2/);
    expect(rowOf(page, "data-subscriber", "adm-1")).toContain("via api");
    expect(rowOf(page, "data-subscriber", "adm-2")).toContain("not yet");
    const pending = await (
      await clients.viewer.get(`/admin/acknowledgements/${noticeId}?filter=pending`)
    ).text();
    expect(pending).toContain('data-subscriber="adm-2"');
    expect(pending).not.toContain('data-subscriber="adm-1"');
    const overview = await (await clients.viewer.get("/admin/acknowledgements")).text();
    expect(overview).toContain(`/admin/acknowledgements/${noticeId}`);
  });

  it("exports the report as CSV, one line per person, to signed-in users only", async () => {
    const response = await clients.viewer.get(`/admin/acknowledgements/${noticeId}/csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toMatch(
      /attachment; filename="acknowledgements-notice-/,
    );
    const lines = (await response.text()).trim().split("\r\n");
    expect(lines[0]).toBe(
      '"externalId","subscriberStatus","acknowledged","acknowledgedVersion","acknowledgedAt","acknowledgedVia","emailStatus","emailSentAt","emailTransport","providerMessageId","dashboardStatus","dashboardShownAt","outcome","remindersSent","lastReminderAt"',
    );
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 3).join(","))).toEqual([
      '"adm-1","active","yes"',
      '"adm-2","active","no"',
    ]);
    const anonymous = await clients.anonymous.get(`/admin/acknowledgements/${noticeId}/csv`);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(/^\/admin\/login/);
    expect((await clients.viewer.get("/admin/acknowledgements/999999/csv")).status).toBe(404);
  });

  it("lists the proof of notice on the subscriber's page", async () => {
    const page = await (await clients.viewer.get("/admin/subscribers/adm-1")).text();
    expect(page).toContain("Proof of notice");
    expect(rowOf(page, "data-channel", "dashboard")).toContain("delivered");
    expect(rowOf(page, "data-channel", "email")).toMatch(/data-status="(pending|sending|sent)"/);
    expect(page).toMatch(/data-acknowledged="yes"[^>]*>[^<]*via api/);
    const list = await (await clients.viewer.get("/admin/subscribers?q=adm-")).text();
    expect(list).toContain("/admin/subscribers/adm-1");
    expect(list).toContain("/admin/subscribers/adm-2");
    expect((await clients.viewer.get("/admin/subscribers/nobody")).status).toBe(404);
  });
});

describe("the dashboard banner's settings", () => {
  it("are for admins only", async () => {
    expect((await clients.viewer.get("/admin/embed")).status).toBe(403);
    expect((await clients.viewer.post("/admin/embed", { intent: "rotate-secret" })).status).toBe(403);
    expect((await clients.anonymous.get("/admin/embed")).status).toBe(302);
  });

  it("refuse a form without the CSRF token", async () => {
    const response = await clients.admin.post("/admin/embed", { intent: "rotate-secret" }, { csrf: false });
    expect(response.status).toBe(403);
  });

  it("let an admin create the secret and allow an origin, after which a minted token reads the notices", async () => {
    const created = await clients.admin.post("/admin/embed", { intent: "rotate-secret" });
    expect(created.status).toBe(200);
    const page = await created.text();
    // The first secret replaces nothing: no word of a previous one.
    expect(page).not.toContain("previous secret");
    const secret = /data-testid="embed-secret">(rls_[A-Za-z0-9_-]+)</.exec(page)?.[1];
    expect(secret).toBeTruthy();
    expect(
      (await clients.admin.post("/admin/embed", { intent: "add-origin", origin: "https://app.example.test" }))
        .status,
    ).toBe(200);
    expect(
      (await clients.admin.post("/admin/embed", { intent: "add-origin", origin: "not an origin" })).status,
    ).toBe(400);
    const token = mintUserToken({ secret: secret!, externalId: "adm-2" });
    const response = await fetch(`${server.url}/api/v1/embed/notices`, {
      headers: { authorization: `Bearer ${token}`, origin: "https://app.example.test" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example.test");
    expect(((await response.json()) as { notices: { id: number }[] }).notices.map((n) => n.id)).toEqual([
      noticeId,
    ]);
    // The page shows the secret's prefix afterwards, never the secret.
    const after = await (await clients.admin.get("/admin/embed")).text();
    expect(after).toContain(secret!.slice(0, 10));
    expect(after).not.toContain(secret!);
  });

  it("say that tokens of the previous secret keep working only when a secret was replaced", async () => {
    const rotated = await clients.admin.post("/admin/embed", { intent: "rotate-secret" });
    expect(rotated.status).toBe(200);
    expect(await rotated.text()).toContain(
      "Tokens signed with the previous secret keep working for one hour.",
    );
  });
});
