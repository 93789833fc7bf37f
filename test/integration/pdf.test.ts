/**
 * "Download PDF" over real HTTP against the built server (ADR 0030): what a reader gets when they
 * download a version or a redline — a real PDF with the policy's text, the same validation and
 * caching as the HTML pages, and an honest refusal for scripts the fonts cannot draw.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../support/admin-client";
import { readPdf } from "../support/pdf-text";
import { type RunningServer, redline, startServer } from "../support/server";
import { publishCurrentHistory, publishUpcomingHistory, V3_SUMMARY } from "./public-fixture";

let server: RunningServer;
const PASSWORD = "pdf viewer password 1";

beforeAll(async () => {
  server = await startServer();
  await publishCurrentHistory(server);
  await publishUpcomingHistory(server);
  const env = { DATABASE_URL: server.databaseUrl };
  const japanese = join(server.directory, "japanese.md");
  writeFileSync(japanese, "# プライバシーポリシー\n\n## 1. 事業者\n\n当社は個人情報を大切に取り扱います。\n");
  expect((await redline(["import", "kojin", japanese, "--locale", "ja"], env)).code).toBe(0);
  expect((await redline(["publish", "kojin", "--locale", "ja"], env)).code).toBe(0);
  const added = await redline(
    ["user", "add", "viewer@example.com", "--role", "viewer", "--password", PASSWORD],
    env,
  );
  expect(added.code).toBe(0);
}, 120_000);
afterAll(() => server?.stop());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers });

async function pdfOf(response: Response) {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/pdf");
  return readPdf(new Uint8Array(await response.arrayBuffer()));
}

describe("the public version PDF", () => {
  it("is the version's text with its title, dates and page numbers, as a download", async () => {
    const response = await get("/policies/privacy/versions/2/pdf");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="privacy-v2.pdf"');
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const pdf = await pdfOf(response);
    expect(pdf.title).toBe("Privacy Policy");
    expect(pdf.pages[0]).toContain("Privacy Policy");
    expect(pdf.pages[0]).toContain("Version 2");
    expect(pdf.text).toMatch(/Last updated: \d{1,2} \w+ \d{4}/);
    expect(pdf.text).toMatch(/Effective date: \d{1,2} \w+ \d{4}/);
    expect(pdf.text).toContain("We collect only the information we truly need to operate the Service");
    expect(pdf.text).toContain("This policy is also available in large print on request.");
    expect(pdf.pages.length).toBeGreaterThan(1);
    expect(pdf.pages.at(-1)).toContain(`Page ${pdf.pages.length} of ${pdf.pages.length}`);
    expect(pdf.links).toContain("https://brightfern.example.com/");
  });

  it("states a material change with its summary", async () => {
    const pdf = await pdfOf(await get("/policies/privacy/versions/3/pdf"));
    expect(pdf.text).toContain(`Material change: ${V3_SUMMARY}`);
    expect(pdf.text).toContain("We also send archived invoices to Ledgerline Archive Ltd");
  });

  it("answers 304 Not Modified to a matching If-None-Match, without a body", async () => {
    const first = await get("/policies/privacy/versions/1/pdf");
    await first.arrayBuffer();
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    const second = await get("/policies/privacy/versions/1/pdf", { "If-None-Match": etag });
    expect(second.status).toBe(304);
    expect(await second.text()).toBe("");
    // The same PDF, drawn once: a second download is byte for byte the first.
    const again = await get("/policies/privacy/versions/1/pdf");
    expect(
      Buffer.from(await again.arrayBuffer()).equals(
        Buffer.from(await (await get("/policies/privacy/versions/1/pdf")).arrayBuffer()),
      ),
    ).toBe(true);
  });

  it("is in the language ?lang= names", async () => {
    const response = await get("/policies/privacy/versions/1/pdf?lang=de");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="privacy-de-v1.pdf"');
    const pdf = await pdfOf(response);
    expect(pdf.text).toContain("Wir erheben nur die Daten, die wir für den Dienst benötigen.");
  });

  it("is 404 for a version that does not exist or is not published", async () => {
    expect((await get("/policies/privacy/versions/99/pdf")).status).toBe(404);
    expect((await get("/policies/privacy/versions/4/pdf")).status).toBe(404);
    expect((await get("/policies/nothing-here/versions/1/pdf")).status).toBe(404);
    expect((await get("/policies/privacy/versions/abc/pdf")).status).toBe(404);
  });

  it("is refused with 422 and a page pointing at Print → Save as PDF for Japanese", async () => {
    const response = await get("/policies/kojin/versions/1/pdf?lang=ja");
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("A PDF cannot be produced for this language");
    expect(html).toContain("Save as PDF");
    expect(html).toContain('href="/policies/kojin/versions/1?lang=ja"');
  });
});

describe("the public redline PDF", () => {
  it("marks added and removed words so that they read in black and white", async () => {
    const response = await get("/policies/privacy/compare/pdf?from=1&to=2");
    expect(response.headers.get("content-disposition")).toBe(
      'attachment; filename="privacy-v1-v2-redline.pdf"',
    );
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const pdf = await pdfOf(response);
    expect(pdf.pages[0]).toContain("Changes from version 1 to version 2");
    expect(pdf.text).toContain(
      "Legend: [+ added text ] (double underlined), [− removed text ] (struck through).",
    );
    expect(pdf.text).toContain(
      "We collect only the information we [+ truly ] need to [− run ] [+ operate ] the Service",
    );
    expect(pdf.text).toContain("[+ This policy is also available in large print on request. ]");
  });

  it("names the new recipient of a material change", async () => {
    const pdf = await pdfOf(await get("/policies/privacy/compare/pdf?from=2&to=3"));
    expect(pdf.text).toContain("(material change)");
    expect(pdf.text).toContain("[+ We also send archived invoices to Ledgerline Archive Ltd");
  });

  it("answers 304 to a matching If-None-Match", async () => {
    const first = await get("/policies/privacy/compare/pdf?from=1&to=3");
    await first.arrayBuffer();
    const second = await get("/policies/privacy/compare/pdf?from=1&to=3", {
      "If-None-Match": first.headers.get("etag")!,
    });
    expect(second.status).toBe(304);
  });

  it("refuses bad comparisons with 400 and the compare page's reason", async () => {
    for (const query of ["from=2&to=2", "from=abc&to=2", "from=1", "from=1&to=99"]) {
      const response = await get(`/policies/privacy/compare/pdf?${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.text(), query).not.toBe("");
    }
    expect((await get("/policies/nothing-here/compare/pdf?from=1&to=2")).status).toBe(404);
  });
});

describe("the Download PDF links", () => {
  it("are on the public version and compare pages, in the page's language", async () => {
    expect(await (await get("/policies/privacy/versions/2")).text()).toContain(
      'href="/policies/privacy/versions/2/pdf"',
    );
    expect(await (await get("/policies/privacy/versions/1?lang=de")).text()).toContain(
      'href="/policies/privacy/versions/1/pdf?lang=de"',
    );
    expect(await (await get("/policies/privacy/compare?from=1&to=2")).text()).toContain(
      'href="/policies/privacy/compare/pdf?from=1&amp;to=2"',
    );
  });

  it("are on the workspace's version and compare pages", async () => {
    const viewer = new AdminClient(server.url);
    expect((await viewer.signIn("viewer@example.com", PASSWORD)).status).toBe(302);
    expect(await (await viewer.get("/admin/documents/1/versions/2")).text()).toContain(
      'href="/admin/documents/1/versions/2/pdf"',
    );
    expect(await (await viewer.get("/admin/documents/1/compare?from=1&to=2")).text()).toContain(
      'href="/admin/documents/1/compare/pdf?from=1&amp;to=2"',
    );
  });
});

describe("the workspace PDFs", () => {
  it("are refused to visitors who are not signed in", async () => {
    for (const path of ["/admin/documents/1/versions/1/pdf", "/admin/documents/1/compare/pdf?from=1&to=2"]) {
      const response = await fetch(`${server.url}${path}`, { redirect: "manual" });
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location"), path).toMatch(/^\/admin\/login/);
    }
  });

  it("give a viewer a draft and its redline, never cached", async () => {
    const viewer = new AdminClient(server.url);
    expect((await viewer.signIn("viewer@example.com", PASSWORD)).status).toBe(302);
    const draft = await viewer.get("/admin/documents/1/versions/4/pdf");
    expect(draft.headers.get("cache-control")).toBe("no-store");
    expect((await pdfOf(draft)).text).toContain("A secret draft sentence.");
    const redlined = await viewer.get("/admin/documents/1/compare/pdf?from=3&to=4");
    expect(redlined.headers.get("content-disposition")).toBe(
      'attachment; filename="privacy-v3-v4-redline.pdf"',
    );
    expect((await pdfOf(redlined)).text).toContain("[+ A secret draft sentence. ]");
    expect((await viewer.get("/admin/documents/1/versions/99/pdf")).status).toBe(404);
    expect((await viewer.get("/admin/documents/1/compare/pdf?from=3")).status).toBe(400);
  });
});
