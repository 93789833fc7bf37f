/**
 * Subscribers in the workspace over real HTTP: the CSV upload (the CLI's import rules, streamed,
 * progress and per-line errors, admins only, CSRF in a header, the upload limit), the contains-search
 * and filters of the list, erasure with a typed confirmation, and the audience count the publish
 * form's builder asks for (parseAudience's rule).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportEvent } from "../../app/core/notify/subscriber-import";
import { AdminClient } from "../support/admin-client";
import { rawSql } from "../support/raw-sql";
import { type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "subscribers workspace 1";
let server: RunningServer;
const clients = {} as Record<"admin" | "approver" | "viewer" | "anonymous", AdminClient>;

function upload(
  client: AdminClient,
  csv: string,
  { csrf = client.csrf, type = "text/csv; charset=utf-8" }: { csrf?: string; type?: string } = {},
) {
  return fetch(`${server.url}/admin/imports/subscribers`, {
    method: "POST",
    headers: { cookie: client.cookieHeader(), "content-type": type, "x-csrf-token": csrf },
    body: csv,
    redirect: "manual",
  });
}

async function events(response: Response): Promise<ImportEvent[]> {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
  return (await response.text())
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ImportEvent);
}

function listed(page: string): string[] {
  return [...page.matchAll(/href="\/admin\/subscribers\/([^"?]+)"/g)].map((m) => decodeURIComponent(m[1]));
}

beforeAll(async () => {
  server = await startServer();
  const env = { DATABASE_URL: server.databaseUrl, LOG_LEVEL: "warn" };
  for (const role of ["admin", "approver", "viewer"] as const) {
    const added = await redline(
      ["user", "add", `${role}@example.com`, "--role", role, "--password", PASSWORD],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
  }
  for (const who of ["admin", "approver", "viewer", "anonymous"] as const) {
    clients[who] = new AdminClient(server.url);
    if (who !== "anonymous")
      expect((await clients[who].signIn(`${who}@example.com`, PASSWORD)).status).toBe(302);
  }
});
afterAll(() => server?.stop());

describe("the subscribers upload", () => {
  it("imports the good lines, names each bad line with its reason, and records the import in the audit log", async () => {
    const csv = [
      "externalId,email,name,locale,region,plan",
      "ws-1,ada@example.com,Ada Lovelace,en,EU,team",
      "ws-2,not-an-address,Grace Hopper,en,US,team",
      "ws-3,edsger@example.com,Edsger Dijkstra,nl,EU,free",
      "ws-1,ada.again@example.com,Ada,en,EU,team",
      "ws-4,barbara@example.com,Barbara Liskov,en,US",
      "ws-5,alan@example.com,Alan Turing,en,UK,free",
    ].join("\n");
    const all = await events(await upload(clients.admin, `${csv}\n`));
    const done = all.at(-1);
    expect(done?.type).toBe("done");
    if (done?.type !== "done") return;
    expect(done.report).toMatchObject({ rows: 6, created: 3, updated: 0, moreRejected: 0, stopped: null });
    expect(done.report.rejected).toEqual([
      {
        line: 3,
        externalId: "ws-2",
        reason: expect.stringContaining('email "not-an-address" is not an email address'),
      },
      { line: 5, externalId: "ws-1", reason: 'duplicate externalId "ws-1" (first on line 2)' },
      { line: 6, externalId: "ws-4", reason: "the row does not have as many cells as the header" },
    ]);
    expect(all.some((event) => event.type === "progress")).toBe(true);

    const page = await (await clients.viewer.get("/admin/subscribers?q=ws-")).text();
    expect(listed(page)).toEqual(["ws-1", "ws-3", "ws-5"]);
    const audit = await rawSql<{ action: string; details: unknown }>(
      server.databaseUrl,
      "SELECT action, details FROM audit_log WHERE action = 'subscribers.imported'",
    );
    expect(audit).toHaveLength(1);
    const details = typeof audit[0].details === "string" ? JSON.parse(audit[0].details) : audit[0].details;
    expect(details).toMatchObject({ rows: 6, created: 3, rejected: 3, via: "upload" });
  });

  it("answers a file without the required columns with the reason, and imports nothing", async () => {
    const all = await events(await upload(clients.admin, "id,address\nws-9,x@example.com\n"));
    expect(all.at(-1)).toEqual({
      type: "failed",
      message: expect.stringContaining('the header row needs an "externalId" column'),
    });
    const page = await (await clients.viewer.get("/admin/subscribers?q=ws-9")).text();
    expect(listed(page)).toEqual([]);
  });

  it("is refused to every role below admin, to a visitor without a session, and without the CSRF token", async () => {
    const csv = "externalId,email\nws-refused,refused@example.com\n";
    expect((await upload(clients.approver, csv)).status).toBe(403);
    expect((await upload(clients.viewer, csv)).status).toBe(403);
    expect((await upload(clients.anonymous, csv)).status).toBe(401);
    const forged = await upload(clients.admin, csv, { csrf: "forged" });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toMatch(/expired or did not come from Redline/);
    const page = await (await clients.viewer.get("/admin/subscribers?q=ws-refused")).text();
    expect(listed(page)).toEqual([]);
  });

  it("takes only CSV, and refuses a file declared larger than the upload limit before reading it", async () => {
    const wrongType = await upload(clients.admin, "externalId,email\n", { type: "application/json" });
    expect(wrongType.status).toBe(415);
    const tooLarge = await fetch(`${server.url}/admin/imports/subscribers`, {
      method: "POST",
      headers: {
        cookie: clients.admin.cookieHeader(),
        "content-type": "text/csv",
        "x-csrf-token": clients.admin.csrf,
        "content-length": String(65 * 1024 * 1024),
      },
      body: "externalId,email\n",
      redirect: "manual",
    }).catch(() => null);
    // Node's fetch may refuse a body shorter than its declared length; when it sends, the answer is 413.
    if (tooLarge) {
      expect(tooLarge.status).toBe(413);
      expect(await tooLarge.text()).toMatch(/larger than 64 MB/);
    }
  });

  it("offers the upload form to admins only", async () => {
    expect(await (await clients.admin.get("/admin/subscribers")).text()).toContain("Upload and import");
    expect(await (await clients.approver.get("/admin/subscribers")).text()).not.toContain(
      "Upload and import",
    );
  });
});

describe("the subscriber list", () => {
  beforeAll(async () => {
    const csv = [
      "externalId,email,name,region,plan",
      "find-a1,margaret@hamilton.example,Margaret Hamilton,EU,team",
      "find-b2,katherine@johnson.example,Katherine Johnson,US,team",
      "find-c3,radia@perlman.example,Radia Perlman,EU,free",
      "find-d4,frances_allen@ibm.example,Frances Allen,US,free",
    ].join("\n");
    const all = await events(await upload(clients.admin, `${csv}\n`));
    expect(all.at(-1)).toMatchObject({ type: "done", report: { created: 4 } });
  });

  it("finds subscribers by any part of their email, name or externalId, ignoring case", async () => {
    const search = async (q: string) =>
      listed(await (await clients.viewer.get(`/admin/subscribers?${new URLSearchParams({ q })}`)).text());
    expect(await search("HAMILTON")).toEqual(["find-a1"]);
    expect(await search("johnson.example")).toEqual(["find-b2"]);
    expect(await search("d-c")).toEqual(["find-c3"]);
    // LIKE's wildcards are taken literally: "_" is an underscore, not any character.
    expect(await search("s_a")).toEqual(["find-d4"]);
    expect(await search("%")).toEqual([]);
  });

  it("filters by an attribute value and by status, and offers the values subscribers have", async () => {
    const page = await (await clients.viewer.get("/admin/subscribers?q=find-&attribute=region%3DEU")).text();
    expect(listed(page)).toEqual(["find-a1", "find-c3"]);
    expect(page).toContain('value="plan=free"');
    const both = await (
      await clients.viewer.get("/admin/subscribers?q=find-&attribute=plan%3Dteam&status=active")
    ).text();
    expect(listed(both)).toEqual(["find-a1", "find-b2"]);
    const bounced = await (await clients.viewer.get("/admin/subscribers?q=find-&status=bounced")).text();
    expect(listed(bounced)).toEqual([]);
  });
});

describe("erasing a subscriber from their page", () => {
  beforeAll(async () => {
    const all = await events(
      await upload(clients.admin, "externalId,email,name\nerase-me,erase@example.com,Eve\n"),
    );
    expect(all.at(-1)).toMatchObject({ type: "done", report: { created: 1 } });
  });

  it("is refused to an approver and not offered to them", async () => {
    const page = await (await clients.approver.get("/admin/subscribers/erase-me")).text();
    expect(page).not.toContain("Erase personal data");
    const refused = await clients.approver.post("/admin/subscribers/erase-me", {
      intent: "erase",
      confirm: "erase-me",
    });
    expect(refused.status).toBe(403);
  });

  it("needs the externalId typed again, then erases the personal data and records who did it", async () => {
    const wrong = await clients.admin.post("/admin/subscribers/erase-me", {
      intent: "erase",
      confirm: "erase",
    });
    expect(wrong.status).toBe(400);
    expect(await (await clients.admin.get("/admin/subscribers/erase-me")).text()).toContain(
      "erase@example.com",
    );

    const erased = await clients.admin.post("/admin/subscribers/erase-me", {
      intent: "erase",
      confirm: "erase-me",
    });
    expect(erased.status).toBe(302);
    const page = await (await clients.admin.get(erased.headers.get("location") ?? "")).text();
    expect(page).toContain("Personal data erased");
    expect(page).not.toContain("erase@example.com");
    const audit = await rawSql<{ action: string }>(
      server.databaseUrl,
      "SELECT action FROM audit_log WHERE action = 'subscriber.erased'",
    );
    expect(audit).toHaveLength(1);
  });
});

describe("the audience count", () => {
  it("counts the active subscribers an audience reaches, and names what publishing would refuse", async () => {
    const count = async (audience: string) => {
      const response = await clients.viewer.get(
        `/admin/audiences/count?${new URLSearchParams({ audience })}`,
      );
      return { status: response.status, body: (await response.json()) as { count?: number; error?: string } };
    };
    expect(await count('{"region":"EU"}')).toEqual({ status: 200, body: { count: 4 } });
    expect(await count('{"region":["EU","US"],"plan":"team"}')).toEqual({ status: 200, body: { count: 3 } });
    expect(await count("")).toEqual({ status: 200, body: { count: 7 } });
    expect(await count('{"region":"EU"')).toEqual({
      status: 200,
      body: { error: expect.stringMatching(/^Audience is not JSON/) },
    });
    expect(await count('{"1bad":"x"}')).toEqual({
      status: 200,
      body: { error: expect.stringContaining('Audience attribute "1bad" is not a valid name') },
    });
    expect((await clients.anonymous.get("/admin/audiences/count?audience=")).status).toBe(302);
  });
});
