import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../support/server";
import {
  daysFromToday,
  publishCurrentHistory,
  publishUpcomingHistory,
  today,
  V2_SUMMARY,
  V3_SUMMARY,
} from "./public-fixture";

let server: RunningServer;
/** The policy page's ETag before version 3 was announced. */
let etagBeforeUpcoming: string | null;

beforeAll(async () => {
  server = await startServer();
  await publishCurrentHistory(server);
  etagBeforeUpcoming = (await get("/policies/privacy")).headers.get("etag");
  await publishUpcomingHistory(server);
});
afterAll(() => server?.stop());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers });
const IMMUTABLE = "public, max-age=31536000, immutable";
const SHORT = /^public, max-age=([1-9]\d?|60)$/;

describe("the policy page", () => {
  it("shows the version in effect with Last updated at the top and a short, revalidated cache life", async () => {
    const response = await get("/policies/privacy");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("cache-control")).toMatch(SHORT);
    expect(response.headers.get("etag")).toMatch(/^W\/"[\w-]+"$/);
    const html = await response.text();
    expect(html).toContain(`Last updated: <time dateTime="${today()}">`);
    expect(html).toContain("We collect only the information we truly need to operate the Service");
    expect(html).not.toContain("A secret draft sentence");
    expect(html).not.toMatch(/<script/);
  });

  it("announces the upcoming version with links to its text and to the redline", async () => {
    const html = await (await get("/policies/privacy")).text();
    const banner = html.slice(html.indexOf('aria-label="Upcoming changes"'), html.indexOf("</aside>"));
    expect(banner).toContain(`Changes take effect on <time dateTime="${daysFromToday(30)}">`);
    expect(banner).toContain(V3_SUMMARY);
    expect(banner).toContain('href="/policies/privacy/versions/3"');
    expect(banner).toContain('href="/policies/privacy/compare?from=2&amp;to=3"');
  });

  it("answers 304 Not Modified to a matching If-None-Match, without a body", async () => {
    const first = await get("/policies/privacy");
    const etag = first.headers.get("etag")!;
    const second = await get("/policies/privacy", { "If-None-Match": etag });
    expect(second.status).toBe(304);
    expect(second.headers.get("etag")).toBe(etag);
    expect(second.headers.get("cache-control")).toMatch(SHORT);
    expect(await second.text()).toBe("");
    const stale = await get("/policies/privacy", { "If-None-Match": '"something-else"' });
    expect(stale.status).toBe(200);
  });

  it("changes its ETag when an upcoming version is published", async () => {
    expect(etagBeforeUpcoming).toMatch(/^W\/"/);
    expect((await get("/policies/privacy")).headers.get("etag")).not.toBe(etagBeforeUpcoming);
  });
});

describe("the archive", () => {
  it("lists every published version newest first with dates, a material badge and the summary", async () => {
    const response = await get("/policies/privacy/versions");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("cache-control")).toMatch(SHORT);
    const html = await response.text();
    const order = [3, 2, 1].map((n) => html.indexOf(`href="/policies/privacy/versions/${n}"`));
    expect(order.every((position) => position > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(html).not.toContain("/policies/privacy/versions/4");
    const third = html.slice(order[0], order[1]);
    expect(third).toContain("Material change");
    expect(third).toContain("Upcoming");
    expect(third).toContain(V3_SUMMARY);
    expect(third).toContain(`<time dateTime="${daysFromToday(30)}">`);
    const second = html.slice(order[1], order[2]);
    expect(second).toContain(V2_SUMMARY);
    expect(second).toContain("In effect");
    expect(second).not.toContain("Material change");
  });

  it("answers 304 to a matching If-None-Match", async () => {
    const etag = (await get("/policies/privacy/versions")).headers.get("etag")!;
    expect((await get("/policies/privacy/versions", { "If-None-Match": etag })).status).toBe(304);
  });
});

describe("a version page", () => {
  it.each([
    [1, "This version is no longer in effect.", "Version 2 replaced it"],
    [2, "This version is in effect.", V2_SUMMARY],
    [3, "This version takes effect on", V3_SUMMARY],
  ])("marks version %i with its status and is cached as immutable", async (n, status, detail) => {
    const response = await get(`/policies/privacy/versions/${n}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("cache-control")).toBe(IMMUTABLE);
    const html = await response.text();
    expect(html).toContain(status);
    expect(html).toContain(detail);
    expect(html).toContain(`Version ${n}`);
  });

  it("shows the text of that version, not the current one", async () => {
    const html = await (await get("/policies/privacy/versions/1")).text();
    expect(html).toContain("We collect only the information we need to run the Service");
  });

  it("answers 304 to a matching If-None-Match with the immutable headers", async () => {
    const etag = (await get("/policies/privacy/versions/1")).headers.get("etag")!;
    const again = await get("/policies/privacy/versions/1", { "If-None-Match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("cache-control")).toBe(IMMUTABLE);
  });

  it.each(["/policies/privacy/versions/4", "/policies/privacy/versions/99", "/policies/privacy/versions/0"])(
    "answers %s (a draft or no version) with the 404 page",
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(404);
      const html = await response.text();
      expect(html).toContain("Page not found");
      expect(html).not.toContain("A secret draft sentence");
    },
  );
});

describe("the compare page", () => {
  it("shows a redline with insertions and deletions, cached as immutable", async () => {
    const response = await get("/policies/privacy/compare?from=1&to=2");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("cache-control")).toBe(IMMUTABLE);
    const html = await response.text();
    expect(html).toMatch(/<ins>[^<]*truly[^<]*<\/ins>/);
    expect(html).toMatch(/<del>[^<]*run[^<]*<\/del>/);
  });

  it("lists the summaries of the versions it spans", async () => {
    const html = await (await get("/policies/privacy/compare?from=1&to=3")).text();
    const between = html.slice(
      html.indexOf('class="between"'),
      html.indexOf("</ol>", html.indexOf('class="between"')),
    );
    expect(between).toContain(V2_SUMMARY);
    expect(between).toContain(V3_SUMMARY);
    expect(between).not.toContain("First published version.");
  });

  it("navigates by changed section to anchors that exist and marks formatting-only sections", async () => {
    const html = await (await get("/policies/privacy/compare?from=1&to=2")).text();
    const nav = html.slice(
      html.indexOf('aria-label="Changed sections"'),
      html.indexOf("</nav>", html.indexOf('aria-label="Changed sections"')),
    );
    const targets = [...nav.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(targets).toEqual(expect.arrayContaining(["information-we-collect", "accessibility"]));
    for (const id of targets) expect(html).toContain(`id="${id}"`);
    expect(nav).toMatch(/class="formatting-only-section"><a href="#our-data-protection-officer">/);
    expect(html).toContain('id="hide-formatting"');
    expect(html).toContain("data-formatting-only");
  });

  it("answers 304 to a matching If-None-Match", async () => {
    const etag = (await get("/policies/privacy/compare?from=1&to=2")).headers.get("etag")!;
    expect((await get("/policies/privacy/compare?from=1&to=2", { "If-None-Match": etag })).status).toBe(304);
  });

  it.each([
    ["", "missing"],
    ["?from=1", "to is missing"],
    ["?from=2&to=2", "both version 2"],
    ["?from=1&to=9", "There is no published version 9"],
    ["?from=1&to=4", "There is no published version 4"],
    ["?from=one&to=2", "from must be a version number"],
    ["?from=1.5&to=2", "from must be a version number"],
    [`?from=1&to=${"9".repeat(5000)}`, "to must be a version number"],
  ])("answers ?%s with 400 and an explanation", async (query, explanation) => {
    const response = await get(`/policies/privacy/compare${query}`);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain(explanation);
  });

  it("answers an unknown policy with the 404 page", async () => {
    expect((await get("/policies/nothing/compare?from=1&to=2")).status).toBe(404);
  });
});

describe("the Atom feed", () => {
  it("has one entry per published version with its summary and material flag", async () => {
    const response = await get("/policies/privacy/feed.atom");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    expect(response.headers.get("cache-control")).toMatch(SHORT);
    const xml = await response.text();
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    const entries = xml.split("<entry>").slice(1);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toContain("/policies/privacy/versions/3");
    expect(entries[0]).toContain(V3_SUMMARY);
    expect(entries[0]).toContain('term="material"');
    expect(entries[1]).toContain(V2_SUMMARY);
    expect(entries[1]).toContain('term="non-material"');
    expect(xml).not.toContain("A secret draft sentence");
  });

  it("answers 304 to a matching If-None-Match and 404 for an unknown policy", async () => {
    const etag = (await get("/policies/privacy/feed.atom")).headers.get("etag")!;
    expect((await get("/policies/privacy/feed.atom", { "If-None-Match": etag })).status).toBe(304);
    expect((await get("/policies/nothing/feed.atom")).status).toBe(404);
  });
});

describe("translations", () => {
  it("shows the translation ?lang= names, with a language switcher", async () => {
    const response = await get("/policies/privacy?lang=de");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('lang="de"');
    expect(html).toContain("<h1>Datenschutzerklärung</h1>");
    const switcher = html.slice(
      html.indexOf('aria-label="Language"'),
      html.indexOf("</nav>", html.indexOf('aria-label="Language"')),
    );
    expect(switcher).toContain('href="/policies/privacy"');
    expect(switcher).toContain(">English<");
    expect(switcher).toMatch(/aria-current="true" lang="de">Deutsch</);
  });

  it("says so when the original has a newer version than the translation", async () => {
    const html = await (await get("/policies/privacy?lang=de")).text();
    expect(html).toContain('aria-label="Translation status"');
    expect(html).toContain("The original (English) has been updated");
    expect(html).toContain("version 2");
    const english = await (await get("/policies/privacy")).text();
    expect(english).not.toContain('aria-label="Translation status"');
  });

  it("keeps ?lang= in the translation's own archive and feed", async () => {
    const archive = await (await get("/policies/privacy/versions?lang=de")).text();
    expect(archive).toContain('href="/policies/privacy/versions/1?lang=de"');
    expect(archive).not.toContain('href="/policies/privacy/versions/2?lang=de"');
    const feed = await (await get("/policies/privacy/feed.atom?lang=de")).text();
    expect(feed.split("<entry>")).toHaveLength(2);
  });
});

describe("bad input", () => {
  it.each([
    "/policies/privacy?lang=xx",
    "/policies/privacy?lang=de&lang=en",
    `/policies/privacy?lang=${"d".repeat(10_000)}`,
    "/policies/privacy/versions/1e2",
    "/policies/privacy/versions/-1",
    "/policies/PRIVACY/versions",
    "/policies/no-such-policy/versions/1",
  ])("answers %s with the 404 page", async (path) => {
    const response = await get(path);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("Page not found");
  });

  it("ignores query parameters it does not know", async () => {
    const response = await get(`/policies/privacy?utm_source=${"x".repeat(4000)}&from[]=1`);
    expect(response.status).toBe(200);
  });
});
