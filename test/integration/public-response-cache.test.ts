import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer, untilPublicStateKnown } from "../support/server";
import { publishCurrentHistory, publishUpcomingHistory } from "./public-fixture";

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers });

describe("the public response cache", () => {
  it("renders a page once and replays the same bytes and headers afterwards", async () => {
    await untilPublicStateKnown(server.url, "privacy");
    const first = await get("/policies/privacy/versions/1");
    expect(first.headers.get("x-cache")).toBe("miss");
    const firstBody = await first.text();
    const second = await get("/policies/privacy/versions/1");
    expect(second.headers.get("x-cache")).toBe("hit");
    expect(await second.text()).toBe(firstBody);
    for (const name of ["etag", "cache-control", "content-type"]) {
      expect(second.headers.get(name)).toBe(first.headers.get(name));
    }
    const revalidated = await get("/policies/privacy/versions/1", {
      "If-None-Match": first.headers.get("etag")!,
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("x-cache")).toBe("hit");
  });

  it("shares one copy between URLs that differ only in parameters the page ignores", async () => {
    await get("/policies/privacy");
    const tracked = await get("/policies/privacy?utm_source=newsletter");
    expect(tracked.headers.get("x-cache")).toBe("hit");
  });

  it("renders again as soon as a version is published", async () => {
    const before = await (await get("/api/v1/policies/privacy")).json();
    expect((await get("/api/v1/policies/privacy")).headers.get("x-cache")).toBe("hit");
    await publishCurrentHistory(server);
    // PostgreSQL: the server hears of the publication (NOTIFY) and reads the new state first.
    await untilPublicStateKnown(server.url, "privacy");
    const after = await get("/api/v1/policies/privacy");
    expect(after.headers.get("x-cache")).toBe("miss");
    expect((await after.json()).version).toBe(before.version + 1);
    await publishUpcomingHistory(server);
    const html = await (await get("/policies/privacy")).text();
    expect(html).toContain("Changes take effect on");
    // Six commands, each a process that opens the database: slow on a loaded two-core machine.
  }, 90_000);

  it("never answers requests with cookies or credentials from the cache", async () => {
    await get("/policies/privacy/versions");
    const withCookie = await get("/policies/privacy/versions", { Cookie: "session=abc" });
    expect(withCookie.status).toBe(200);
    expect(withCookie.headers.get("x-cache")).toBeNull();
    const withCredentials = await get("/policies/privacy/versions", { Authorization: "Bearer x" });
    expect(withCredentials.headers.get("x-cache")).toBeNull();
  });

  it("lets the app itself answer 304 when the cache steps aside", async () => {
    for (const path of ["/policies/privacy", "/policies/privacy/versions/1", "/api/v1/policies/privacy"]) {
      const first = await get(path, { Cookie: "session=abc" });
      const etag = first.headers.get("etag")!;
      const again = await get(path, { Cookie: "session=abc", "If-None-Match": etag });
      expect(again.status).toBe(304);
      expect(again.headers.get("x-cache")).toBeNull();
      expect(again.headers.get("etag")).toBe(etag);
      expect(await again.text()).toBe("");
    }
  });

  it("never stores errors or answers that are not public", async () => {
    await untilPublicStateKnown(server.url, "privacy");
    await get("/policies/nothing");
    const missing = await get("/policies/nothing");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-cache")).toBe("miss");
    await get("/policies/privacy/compare?from=1&to=1");
    expect((await get("/policies/privacy/compare?from=1&to=1")).headers.get("x-cache")).toBe("miss");
  });

  it("leaves the admin workspace alone", async () => {
    const admin = await get("/admin");
    expect(admin.headers.get("x-cache")).toBeNull();
  });
});
