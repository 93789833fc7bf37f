/**
 * Shared by the hostile-request tests (ADRs 0012, 0013): a running server with one of everything an
 * outsider could aim at, raw-socket clients that send what fetch will not, the server's memory,
 * and a snapshot of everything stored.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { expect } from "vitest";
import { mintUserToken } from "../../app/core/notify/user-token";
import { engineKind } from "../../db/client";
import { AdminClient } from "../support/admin-client";
import { rawSql } from "../support/raw-sql";
import { type RunningServer, redline, startServer } from "../support/server";

export const WEBHOOK_SECRET = `whsec_${Buffer.from("redline-webhook-test-secret-32by").toString("base64")}`;
export const BANNER_ORIGIN = "https://app.example.test";
const PASSWORD = "hostile requests 123";

export type Fixture = {
  server: RunningServer;
  admin: AdminClient;
  apiKey: string;
  userToken: string;
  noticeId: number;
  /** Documents in each workflow state the workspace's actions need: open draft, in review, approved. */
  documents: { drafting: number; reviewing: number; approving: number };
};

const doc = (text: string) =>
  JSON.stringify({ type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text }] }] });

/**
 * The real server with a signed-in admin, an API key, a subscriber with a pending dashboard notice
 * that requires acknowledgement, and the dashboard banner set up for BANNER_ORIGIN.
 */
export async function hostileFixture(env: Record<string, string> = {}): Promise<Fixture> {
  const server = await startServer({ RESEND_WEBHOOK_SECRET: WEBHOOK_SECRET, ...env });
  const cli = { DATABASE_URL: server.databaseUrl };
  const run = async (args: string[]) => {
    const result = await redline(args, cli);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout.trim();
  };
  await run(["user", "add", "boss@example.test", "--role", "admin", "--password", PASSWORD]);
  const admin = new AdminClient(server.url);
  expect((await admin.signIn("boss@example.test", PASSWORD)).status).toBe(302);
  // The rest through the workspace and the API: quicker than a command-line process each.
  const addWriter = await admin.post("/admin/users", {
    intent: "add-user",
    email: "writer@example.test",
    role: "editor",
    password: PASSWORD,
  });
  expect(addWriter.status).toBe(200);
  const keyPage = await (
    await admin.post("/admin/api-keys", { intent: "create-key", name: "hostile" })
  ).text();
  const apiKey = /<code class="secret">([^<]+)<\/code>/.exec(keyPage)?.[1] ?? "";
  expect(apiKey).not.toBe("");
  const subscriber = await fetch(`${server.url}/api/v1/subscribers/sub-1`, {
    method: "PUT",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ email: "sub1@example.test", name: "Ada", locale: "en" }),
  });
  expect(subscriber.status).toBe(201);
  const policy = join(server.directory, "privacy.md");
  writeFileSync(
    policy,
    `${readFileSync("content/privacy.md", "utf8")}\n\n## Payments\n\nWe now use Parcelpay.\n`,
  );
  await run(["import", "privacy", policy]);
  // Dashboard only: no email, so no dispatcher writes while the tests compare snapshots.
  await run([
    "publish",
    "privacy",
    "--material",
    "--summary",
    "Parcelpay.",
    "--notify",
    "dashboard",
    "--require-ack",
  ]);
  const status = await run(["notify", "status", "privacy", "2", "--format", "json"]);
  const noticeId = Number(/"(?:id|noticeId)":\s*(\d+)/.exec(status)?.[1]);
  expect(noticeId).toBeGreaterThan(0);

  const rotated = await admin.post("/admin/embed", { intent: "rotate-secret" });
  const secret = /data-testid="embed-secret">(rls_[A-Za-z0-9_-]+)</.exec(await rotated.text())?.[1];
  expect(secret).toBeTruthy();
  expect((await admin.post("/admin/embed", { intent: "add-origin", origin: BANNER_ORIGIN })).status).toBe(
    200,
  );
  const userToken = mintUserToken({ secret: secret!, externalId: "sub-1", lifetimeSeconds: 3600 });

  // The editor writes; the admin (who saved nothing) reviews: four eyes.
  const writer = new AdminClient(server.url);
  expect((await writer.signIn("writer@example.test", PASSWORD)).status).toBe(302);
  const documents = { drafting: 0, reviewing: 0, approving: 0 };
  for (const state of ["drafting", "reviewing", "approving"] as const) {
    const created = await writer.post("/admin/documents?index", {
      intent: "create-document",
      slug: state,
      title: `A document ${state}`,
      locale: "en",
    });
    const id = Number(/\/admin\/documents\/(\d+)\/edit/.exec(created.headers.get("location") ?? "")?.[1]);
    expect(id).toBeGreaterThan(0);
    documents[state] = id;
    const saved = await writer.post(`/admin/documents/${id}/draft`, {
      intent: "save-draft",
      revision: "1",
      content: doc(`Text of the document ${state}.`),
    });
    const { revision } = (await saved.json()) as { revision: number };
    if (state === "drafting") continue;
    const submitted = await writer.post(`/admin/documents/${id}?index`, {
      intent: "submit-for-review",
      revision: String(revision),
    });
    expect(submitted.status).toBe(302);
    if (state === "approving") {
      const approved = await admin.post(`/admin/documents/${id}/review`, {
        intent: "approve",
        revision: String(revision),
      });
      expect(approved.status).toBe(302);
    }
  }
  return { server, admin, apiKey, userToken, noticeId, documents };
}

/** The server process's resident memory, in bytes. */
export function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Samples the server's memory every 20 ms while `work` runs; returns the work's result and the peak. */
export async function peakMemoryDuring<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; peak: number }> {
  let peak = residentBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, residentBytes(pid));
  }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, residentBytes(pid));
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

export type RawAnswer = { status: number | null; head: string; body: string; bytesSent: number };

/** An HTTP/1.1 request head for rawRequest. */
export function requestHead(method: string, url: string, headers: Record<string, string> = {}): string {
  const { host, pathname, search } = new URL(url);
  const lines = [`${method} ${pathname}${search} HTTP/1.1`, `Host: ${host}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/**
 * A client that does what an attacker does and fetch will not: writes the request head as given,
 * then `bodyBytes` of body (chunked when the head says so) as fast as the server takes them,
 * without stopping when an answer arrives. Resolves when the server closes the connection (or
 * `bodyBytes` were sent and the first answer has arrived whole).
 */
export function rawRequest(
  url: string,
  head: string,
  { bodyBytes = 0, chunked = /transfer-encoding:\s*chunked/i.test(head) } = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = "";
    let bytesSent = 0;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      socket.destroy();
      const [headPart, ...rest] = received.split("\r\n\r\n");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      resolve({
        status: status ? Number(status) : null,
        head: headPart,
        body: rest.join("\r\n\r\n"),
        bytesSent,
      });
    };
    let everythingSent = false;
    /** The first answer is complete: its head, and the body its Content-Length or chunking promises. */
    const answered = () => {
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) return false;
      const head = received.slice(0, end);
      const body = received.slice(end + 4);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      // Latin-1 text: one character per byte.
      if (length) return body.length >= Number(length[1]);
      if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return /(^|\r\n)0\r\n\r\n/.test(body);
      return false; // until the server closes the connection
    };
    socket.on("data", (data) => {
      received += data.toString("latin1");
      if (everythingSent && answered()) done();
    });
    socket.on("error", done);
    socket.on("close", done);
    const piece = Buffer.alloc(64 * 1024, 0x61);
    const framed = chunked
      ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")])
      : piece;
    const pump = () => {
      while (bytesSent < bodyBytes && !socket.destroyed) {
        bytesSent += piece.length;
        if (!socket.write(framed)) return void socket.once("drain", pump);
      }
      if (socket.destroyed) return;
      if (chunked && bodyBytes > 0) socket.write("0\r\n\r\n");
      // Everything was sent: once the answer is here (now or when it arrives), give up on the connection.
      everythingSent = true;
      if (answered()) done();
    };
    socket.once("connect", () => {
      socket.write(head);
      pump();
    });
  });
}

/** Bookkeeping that ordinary use updates: when a session or an API key was last used. */
const VOLATILE: Record<string, string> = { sessions: "last_seen_at", api_keys: "last_used_at" };

/**
 * Every row of every table, to compare before and after (without the VOLATILE columns), on either
 * engine. Rows are put in order by their content: PostgreSQL has no rowid, and a json column has
 * no ordering there.
 */
export async function storedState(databaseUrl: string): Promise<Record<string, unknown[]>> {
  const tables = (
    await rawSql<{ name: string }>(
      databaseUrl,
      engineKind(databaseUrl) === "postgres"
        ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
  ).map((row) => row.name);
  const state: Record<string, unknown[]> = {};
  for (const table of tables) {
    const rows = await rawSql<Record<string, unknown>>(databaseUrl, `SELECT * FROM "${table}"`);
    const volatile = VOLATILE[table];
    const kept = volatile ? rows.map(({ [volatile]: _, ...row }) => row) : rows;
    state[table] = kept
      .map((row) => JSON.stringify(row))
      .sort()
      .map((row) => JSON.parse(row));
  }
  return state;
}

/** Lines of the server's log that speak of a failure: error level or a stack trace. */
export function failureLines(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => /"level":(50|60)/.test(line) || /^\s+at /.test(line) || /\\n\s+at /.test(line));
}
