/**
 * The browser API behind /embed/notices.js: a short-lived HMAC-signed user token instead of the API
 * key, CORS only for the configured host origins, and silence (401) for expired or forged tokens.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { mintUserToken } from "../../app/core/notify/user-token";
import { Refusal } from "../../app/core/refusal";
import { db } from "../../app/models/db.server";
import { addEmbedOrigin, checkUserToken, rotateEmbedSecret } from "../../app/models/embed.server";
import * as listRoute from "../../app/routes/api.v1.embed.notices._index";
import * as ackRoute from "../../app/routes/api.v1.embed.notices.$noticeId.ack";
import * as scriptRoute from "../../app/routes/embed.notices[.]js";
import { acknowledgements, auditLog, embedSecrets } from "../../db/tables";
import { testLoadContext } from "../support/load-context";
import { addSubscribers, publishFirst, publishMaterial } from "./notify-support";
import { callRoute, noticeOf } from "./proof-support";

const HOST = "https://app.example.test";
let secret: string;
let noticeId: number;

beforeAll(async () => {
  ({ secret } = await rotateEmbedSecret({ actor: { kind: "cli" } }));
  await addEmbedOrigin({ origin: `${HOST}/`, actor: { kind: "cli" } });
  await publishFirst("embed");
  await addSubscribers("embed", 2);
  const v2 = await publishMaterial("embed", {
    channels: ["dashboard"],
    audience: { group: "embed" },
    requireAck: true,
  });
  noticeId = await noticeOf(v2.id);
});

const tokenFor = (externalId: string, options: { lifetimeSeconds?: number; now?: number } = {}) =>
  mintUserToken({ secret, externalId, ...options });

function list(token: string | null, origin: string | null = HOST) {
  return callRoute(listRoute, {
    path: "/api/v1/embed/notices",
    params: {},
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(origin ? { origin } : {}),
    },
  });
}

function ack(token: string, id: number | string, origin: string | null = HOST) {
  return callRoute(ackRoute, {
    method: "POST",
    path: `/api/v1/embed/notices/${id}/ack`,
    params: { noticeId: String(id) },
    headers: { authorization: `Bearer ${token}`, ...(origin ? { origin } : {}) },
  });
}

describe("GET /api/v1/embed/notices", () => {
  it("gives a valid user token its subscriber's pending notices, with CORS for the configured origin", async () => {
    const response = await list(tokenFor("embed-0"));
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(HOST);
    expect(response.headers.get("vary")).toBe("Origin");
    expect(response.body.notices).toEqual([
      expect.objectContaining({ id: noticeId, version: 2, requiresAck: true, title: "Privacy Policy" }),
    ]);
  });

  it("refuses an expired token with 401, still with CORS headers so the banner can stay silent", async () => {
    const expired = tokenFor("embed-0", { lifetimeSeconds: 600, now: Date.now() - 2 * 3600_000 });
    const response = await list(expired);
    expect(response.status).toBe(401);
    expect(response.body.error).toMatch(/expired/);
    expect(response.headers.get("access-control-allow-origin")).toBe(HOST);
    expect(response.body).not.toHaveProperty("notices");
  });

  it("refuses forged tokens with 401: another secret, an edited payload, none at all", async () => {
    const otherSecret = mintUserToken({ secret: "rls_guessed", externalId: "embed-0" });
    const [, signature] = tokenFor("embed-0").split(".");
    const edited = `${Buffer.from(JSON.stringify({ sub: "embed-1", exp: Math.floor(Date.now() / 1000) + 600 })).toString("base64url")}.${signature}`;
    for (const token of [otherSecret, edited, "garbage", null]) {
      const response = await list(token);
      expect(response.status, String(token)).toBe(401);
      expect(response.body).not.toHaveProperty("notices");
    }
  });

  it("refuses a token that claims to live longer than an hour", async () => {
    expect((await list(tokenFor("embed-0", { lifetimeSeconds: 24 * 3600 }))).status).toBe(401);
  });

  it("refuses a page origin that is not configured, and answers its preflight without CORS", async () => {
    const response = await list(tokenFor("embed-0"), "https://evil.example.test");
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const preflightEvil = await callRoute(listRoute, {
      method: "OPTIONS",
      path: "/api/v1/embed/notices",
      params: {},
      headers: { origin: "https://evil.example.test", "access-control-request-method": "GET" },
    });
    expect(preflightEvil.status).toBe(403);
    const preflightGood = await callRoute(listRoute, {
      method: "OPTIONS",
      path: "/api/v1/embed/notices",
      params: {},
      headers: { origin: HOST, "access-control-request-method": "GET" },
    });
    expect(preflightGood.status).toBe(204);
    expect(preflightGood.headers.get("access-control-allow-origin")).toBe(HOST);
    expect(preflightGood.headers.get("access-control-allow-headers")).toMatch(/authorization/);
  });

  it("gives someone Redline does not know yet an empty list", async () => {
    expect((await list(tokenFor("not-registered-yet"))).body).toEqual({ notices: [], organisation: null });
  });
});

describe("POST /api/v1/embed/notices/:noticeId/ack", () => {
  it("records a 'Got it' as a dashboard acknowledgement, once", async () => {
    const token = tokenFor("embed-1");
    const first = await ack(token, noticeId);
    expect(first).toMatchObject({ status: 201, body: { noticeId, channel: "dashboard" } });
    expect(first.headers.get("access-control-allow-origin")).toBe(HOST);
    expect((await ack(token, noticeId)).status).toBe(200);
    expect((await list(token)).body.notices).toEqual([]);
    const audited = (
      await db().select().from(auditLog).where(eq(auditLog.action, "notice.acknowledged"))
    ).filter((e) => e.details.externalId === "embed-1");
    expect(audited).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ via: "user-token" }) }),
    ]);
  });

  it("answers 404 for another subscriber's notice and 401 for a forged token, recording nothing", async () => {
    await addSubscribers("embed-other", 1);
    const before = (await db().select().from(acknowledgements)).length;
    expect((await ack(tokenFor("embed-other-0"), noticeId)).status).toBe(404);
    expect((await ack(tokenFor("embed-other-0"), 424242)).status).toBe(404);
    expect((await ack(mintUserToken({ secret: "rls_guess", externalId: "embed-0" }), noticeId)).status).toBe(
      401,
    );
    expect((await db().select().from(acknowledgements)).length).toBe(before);
    // embed-0 never acknowledged: still pending for them.
    expect((await list(tokenFor("embed-0"))).body.notices).toHaveLength(1);
  });
});

describe("the embed secret", () => {
  it("is stored encrypted, never in clear", async () => {
    const stored = JSON.stringify(await db().select().from(embedSecrets));
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(10, 30));
  });

  it("keeps verifying the previous secret's tokens for one token lifetime after a rotation", async () => {
    const old = tokenFor("embed-0", { lifetimeSeconds: 3000 });
    const { secret: next } = await rotateEmbedSecret({ actor: { kind: "cli" } });
    expect((await checkUserToken(old)).ok).toBe(true);
    expect((await checkUserToken(mintUserToken({ secret: next, externalId: "embed-0" }))).ok).toBe(true);
    // Two hours later the retired secret is no longer accepted, even for a fresh-looking token.
    const later = Date.now() + 2 * 3600_000;
    const lateOld = mintUserToken({ secret, externalId: "embed-0", now: later });
    expect(await checkUserToken(lateOld, later)).toEqual({ ok: false, reason: "bad-signature" });
    secret = next;
  });

  it("refuses an origin with a path, or one that is not http(s)", async () => {
    await expect(
      addEmbedOrigin({ origin: "https://app.example.test/dash", actor: { kind: "cli" } }),
    ).rejects.toThrow(Refusal);
    await expect(addEmbedOrigin({ origin: "javascript:alert(1)", actor: { kind: "cli" } })).rejects.toThrow(
      Refusal,
    );
  });
});

describe("/embed/notices.js", () => {
  it("is served as JavaScript that reads its token from data-token and calls the browser API", async () => {
    const response = await scriptRoute.loader({
      request: new Request("http://localhost/embed/notices.js"),
      params: {},
      context: testLoadContext(),
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    const source = await response.text();
    expect(source).toContain('getAttribute("data-token")');
    expect(source).toContain("/api/v1/embed/notices");
    expect(source).toContain("attachShadow");
    expect(source).not.toMatch(/rl_[A-Za-z0-9_-]{20,}/);
    const etag = response.headers.get("etag")!;
    const cached = await scriptRoute.loader({
      request: new Request("http://localhost/embed/notices.js", { headers: { "if-none-match": etag } }),
      params: {},
      context: testLoadContext(),
    });
    expect(cached.status).toBe(304);
  });
});
