import { readFileSync } from "node:fs";
import { Script } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawSql } from "../support/raw-sql";
import { type RunningServer, redline, startServer } from "../support/server";
import {
  daysFromToday,
  publishCurrentHistory,
  publishUpcomingHistory,
  V2_SUMMARY,
  V3_SUMMARY,
} from "./public-fixture";

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
  await publishCurrentHistory(server);
  await publishUpcomingHistory(server);
});
afterAll(() => server?.stop());

const get = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, init);
const IMMUTABLE = "public, max-age=31536000, immutable";
const SHORT = /^public, max-age=([1-9]\d?|60)$/;

function expectJson(response: Response) {
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  expect(response.headers.get("access-control-allow-origin")).toBe("*");
}

describe("GET /api/v1/policies/:slug", () => {
  it("returns the version in effect with its body, links and the upcoming version", async () => {
    const response = await get("/api/v1/policies/privacy");
    expect(response.status).toBe(200);
    expectJson(response);
    expect(response.headers.get("cache-control")).toMatch(SHORT);
    const policy = await response.json();
    expect(policy).toMatchObject({
      slug: "privacy",
      locale: "en",
      title: "Privacy Policy",
      version: 2,
      status: "current",
      material: false,
      summary: V2_SUMMARY,
      links: {
        self: expect.stringMatching(/\/api\/v1\/policies\/privacy$/),
        html: expect.stringMatching(/\/policies\/privacy$/),
        archive: expect.stringMatching(/\/api\/v1\/policies\/privacy\/versions$/),
        feed: expect.stringMatching(/\/policies\/privacy\/feed\.atom$/),
      },
      upcoming: {
        version: 3,
        status: "upcoming",
        effectiveAt: daysFromToday(30),
        material: true,
        summary: V3_SUMMARY,
        diff: expect.stringMatching(/\/api\/v1\/policies\/privacy\/diff\?from=2&to=3$/),
      },
      locales: ["en", "de"],
      translation: null,
    });
    expect(policy.lastUpdated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(policy.effectiveAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(policy.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(policy.html).toContain('<h2 id="accessibility">12. Accessibility</h2>');
    expect(policy.text).toContain("large print on request");
    expect(policy.outline).toContainEqual({ id: "accessibility", level: 2, text: "12. Accessibility" });
  });

  it("answers 304 to a matching If-None-Match, still open to other origins", async () => {
    const etag = (await get("/api/v1/policies/privacy")).headers.get("etag")!;
    expect(etag).toMatch(/^W\/"/);
    const again = await get("/api/v1/policies/privacy", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get("access-control-allow-origin")).toBe("*");
    expect(again.headers.get("cache-control")).toMatch(SHORT);
    expect(await again.text()).toBe("");
  });

  it("answers a CORS preflight and refuses other methods", async () => {
    const preflight = await get("/api/v1/policies/privacy", {
      method: "OPTIONS",
      headers: { Origin: "https://example.org", "Access-Control-Request-Method": "GET" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("GET");
    const post = await get("/api/v1/policies/privacy", { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
    expect(await post.json()).toEqual({ error: expect.stringContaining("POST") });
  });

  it("tells a translation from the original and says the original is newer", async () => {
    const policy = await (await get("/api/v1/policies/privacy?lang=de")).json();
    expect(policy).toMatchObject({
      locale: "de",
      title: "Datenschutzerklärung",
      version: 1,
      upcoming: null,
      links: { self: expect.stringMatching(/\/api\/v1\/policies\/privacy\?lang=de$/) },
      translation: { sourceLocale: "en", sourceCurrent: { number: 2 }, outdated: true },
    });
  });

  it.each(["/api/v1/policies/nothing", "/api/v1/policies/privacy?lang=fr", "/api/v1/policies/Bad%20Slug"])(
    "answers %s with a JSON 404",
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(404);
      expectJson(response);
      expect(await response.json()).toEqual({ error: expect.any(String) });
    },
  );
});

describe("GET /api/v1/policies/:slug/versions", () => {
  it("lists every published version newest first, without drafts or bodies", async () => {
    const response = await get("/api/v1/policies/privacy/versions");
    expect(response.status).toBe(200);
    expectJson(response);
    expect(response.headers.get("cache-control")).toMatch(SHORT);
    const archive = await response.json();
    expect(archive.versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [3, "upcoming"],
      [2, "current"],
      [1, "superseded"],
    ]);
    expect(archive.versions[0]).toMatchObject({ material: true, summary: V3_SUMMARY });
    expect(archive.versions[0].html).toBeUndefined();
    expect(archive.versions[2].links.self).toMatch(/\/api\/v1\/policies\/privacy\/versions\/1$/);
  });

  it("answers 304 to a matching If-None-Match", async () => {
    const etag = (await get("/api/v1/policies/privacy/versions")).headers.get("etag")!;
    const again = await get("/api/v1/policies/privacy/versions", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
  });
});

describe("GET /api/v1/policies/:slug/versions/:n", () => {
  it("returns one version with its body as an immutable resource", async () => {
    const response = await get("/api/v1/policies/privacy/versions/1");
    expect(response.status).toBe(200);
    expectJson(response);
    expect(response.headers.get("cache-control")).toBe(IMMUTABLE);
    const version = await response.json();
    expect(version).toMatchObject({ version: 1, status: "superseded", summary: "First published version." });
    expect(version.text).toContain("We collect only the information we need to run the Service");
    expect(version.upcoming).toBeUndefined();
    const etag = response.headers.get("etag")!;
    const again = await get("/api/v1/policies/privacy/versions/1", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get("cache-control")).toBe(IMMUTABLE);
  });

  it.each(["4", "99", "0", "x", "1.0"])(
    "answers version %s (a draft or no version) with a JSON 404",
    async (n) => {
      const response = await get(`/api/v1/policies/privacy/versions/${n}`);
      expect(response.status).toBe(404);
      expectJson(response);
      expect(await response.text()).not.toContain("secret draft");
    },
  );
});

describe("GET /api/v1/policies/:slug/diff", () => {
  it("returns the diff engine's result with both versions' facts, as an immutable resource", async () => {
    const response = await get("/api/v1/policies/privacy/diff?from=2&to=3");
    expect(response.status).toBe(200);
    expectJson(response);
    expect(response.headers.get("cache-control")).toBe(IMMUTABLE);
    const diff = await response.json();
    expect(diff.from).toMatchObject({ version: 2, status: "current" });
    expect(diff.to).toMatchObject({ version: 3, status: "upcoming", material: true, summary: V3_SUMMARY });
    expect(diff.between.map((v: { version: number }) => v.version)).toEqual([3]);
    expect(diff.stats.wordsAdded).toBeGreaterThan(5);
    expect(diff.stats.sectionsChanged.length).toBeGreaterThan(0);
    expect(diff.material).toHaveProperty("suggested");
    const inserted = diff.blocks.filter((b: { change: string }) => b.change === "inserted");
    expect(inserted.map((b: { parts: { text: string }[] }) => b.parts[0].text).join(" ")).toContain(
      "Ledgerline Archive Ltd",
    );
    const etag = response.headers.get("etag")!;
    const again = await get("/api/v1/policies/privacy/diff?from=2&to=3", {
      headers: { "If-None-Match": etag },
    });
    expect(again.status).toBe(304);
  });

  it.each([
    ["", "missing"],
    ["?from=1", "to is missing"],
    ["?from=3&to=3", "both version 3"],
    ["?from=1&to=4", "no published version 4"],
    ["?from=x&to=2", "from must be a version number"],
    [`?from=1&to=2&from=${"1".repeat(3000)}`, "only once"],
  ])("answers ?%s with a JSON 400 explaining why", async (query, reason) => {
    const response = await get(`/api/v1/policies/privacy/diff${query}`);
    expect(response.status).toBe(400);
    expectJson(response);
    expect((await response.json()).error).toContain(reason);
  });
});

describe("GET /embed/policy.js", () => {
  it("serves a cacheable script with a JavaScript content type", async () => {
    const response = await get("/embed/policy.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=3600");
    const script = await response.text();
    expect(script).toContain("attachShadow");
    expect(script).toContain("/api/v1/policies/");
    const etag = response.headers.get("etag")!;
    expect((await get("/embed/policy.js", { headers: { "If-None-Match": etag } })).status).toBe(304);
  });
});

describe("the embeddable scripts", () => {
  it.each(["policy", "notices"])(
    "/embed/%s.js is the bundle of app/embed/%s.ts that the build made",
    async (name) => {
      const script = await (await get(`/embed/${name}.js`)).text();
      expect(script).toBe(readFileSync(new URL(`../../build/embed/${name}.js`, import.meta.url), "utf8"));
      // A classic script for any page: no module syntax, no TypeScript, nothing left to fill in.
      expect(() => new Script(script)).not.toThrow();
      expect(script).not.toMatch(/\$\{\s*JSON\.stringify/);
    },
  );
});

describe("the audit chain head published with each version", () => {
  /** The hash of each version's own publication entry, read from the server's database. */
  async function publicationHeads(): Promise<Map<number, string>> {
    const rows = await rawSql<{ number: number; hash: string }>(
      server.databaseUrl,
      `SELECT v.number, a.hash FROM audit_log a JOIN versions v ON v.id = a.version_id
       JOIN documents d ON d.id = v.document_id
       WHERE a.action = 'version.published' AND d.slug = 'privacy' AND d.locale = 'en'`,
    );
    return new Map(rows.map((r) => [r.number, r.hash]));
  }

  it("is the hash of the version's own publication entry, in every JSON answer, page and feed entry", async () => {
    const heads = await publicationHeads();
    expect([...heads.keys()].sort()).toEqual([1, 2, 3]);
    const archive = await (await get("/api/v1/policies/privacy/versions")).json();
    for (const v of archive.versions) expect(v.auditHead).toBe(heads.get(v.version));
    const policy = await (await get("/api/v1/policies/privacy")).json();
    expect(policy.auditHead).toBe(heads.get(2));
    expect(policy.upcoming.auditHead).toBe(heads.get(3));
    expect((await (await get("/api/v1/policies/privacy/versions/1")).json()).auditHead).toBe(heads.get(1));
    const diff = await (await get("/api/v1/policies/privacy/diff?from=1&to=3")).json();
    expect([diff.from.auditHead, diff.to.auditHead]).toEqual([heads.get(1), heads.get(3)]);

    expect(await (await get("/policies/privacy")).text()).toContain(
      `<meta name="redline:audit-head" content="${heads.get(2)}"/>`,
    );
    expect(await (await get("/policies/privacy/versions/3")).text()).toContain(
      `<meta name="redline:audit-head" content="${heads.get(3)}"/>`,
    );
    const feed = await (await get("/policies/privacy/feed.atom")).text();
    for (const head of heads.values()) {
      expect(feed).toContain(
        `<category label="Audit chain head at publication" scheme="urn:redline:audit-head" term="${head}"/>`,
      );
    }
  });

  it("proves with `redline audit verify --head` that the log up to it is unchanged", async () => {
    const { auditHead } = await (await get("/api/v1/policies/privacy/versions/2")).json();
    const result = await redline(["audit", "verify", "--head", auditHead], {
      DATABASE_URL: server.databaseUrl,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/saved head found at entry \d+; the chain is intact from there/);
  });
});
