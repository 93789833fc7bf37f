import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, redline, startServer } from "../support/server";

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

const get = (path: string) => fetch(`${server.url}${path}`);

describe("the public site on a fresh install", () => {
  it("publishes the demo privacy policy with its Last updated date at the top", async () => {
    const response = await get("/policies/privacy");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    const today = new Date().toISOString().slice(0, 10);
    expect(html).toMatch(new RegExp(`Last updated: <time dateTime="${today}">`));
    expect(html.indexOf("Last updated")).toBeLessThan(html.indexOf('class="policy-body"'));
  });

  it("links its table of contents to anchors that exist in the body", async () => {
    const html = await (await get("/policies/privacy")).text();
    const toc = html.slice(html.indexOf('aria-label="Contents"'), html.indexOf("</nav>"));
    const targets = [...toc.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(targets.length).toBeGreaterThanOrEqual(10);
    for (const id of targets) expect(html).toContain(`id="${id}"`);
  });

  it("lists published documents on the home page", async () => {
    const html = await (await get("/")).text();
    expect(html).toContain('href="/policies/privacy"');
  });

  it.each([
    "/policies/no-such-policy",
    "/policies/privacy?lang=xx",
    "/policies/..%2f..%2fetc",
    "/no/such/page",
  ])("answers %s with a real 404 page", async (path) => {
    const response = await get(path);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("Page not found");
  });

  it("shows the text and date of a version published from the command line", async () => {
    const file = join(server.directory, "cookies.md");
    writeFileSync(
      file,
      "# Cookie Policy\n\n## 1. What cookies are\n\nSmall files, kept **13 months** at most.\n",
    );
    const env = { DATABASE_URL: server.databaseUrl };
    const imported = await redline(["import", "cookies", file], env);
    expect(imported).toMatchObject({ code: 0, stdout: "1\n" });
    const published = await redline(["publish", "cookies", "--last-updated", "2026-12-01"], env);
    expect(published.code).toBe(0);

    const html = await (await get("/policies/cookies")).text();
    expect(html).toContain("<h1>Cookie Policy</h1>");
    expect(html).toContain('Last updated: <time dateTime="2026-12-01">1 December 2026</time>');
    expect(html).toContain("Small files, kept <strong>13 months</strong> at most.");

    const again = await redline(["publish", "cookies"], env);
    expect(again.code).toBe(1);
  });
});
