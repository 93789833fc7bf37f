/**
 * The public pages' caching and translation rules that depend on the date, checked in-process with
 * the real loaders and models against this file's own database and a chosen clock.
 */
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parsePolicy } from "../../app/core/document";
import { db } from "../../app/models/db.server";
import { saveDraft } from "../../app/models/drafts.server";
import { findPublicPolicy } from "../../app/models/public-policies.server";
import { publishVersion } from "../../app/models/publication.server";
import { loader as policyPage } from "../../app/routes/policies.$slug._index";
import { documents, versions } from "../../db/tables";
import { testLoadContext } from "../support/load-context";

const cli = { kind: "cli" } as const;
const content = (text: string) => parsePolicy(`## 1. Retention\n\n${text}`, "markdown").content;

async function publish(
  slug: string,
  text: string,
  at: string,
  effectiveAt: string,
  locale = "en",
  basedOnVersionId: number | null = null,
) {
  await saveDraft({
    slug,
    locale,
    title: `${slug} (${locale})`,
    content: content(text),
    actor: cli,
    basedOnVersionId,
  });
  return publishVersion({
    slug,
    locale,
    request: { material: true, summary: `Now: ${text}`, lastUpdated: at, effectiveAt },
    actor: cli,
    noticePeriodDays: 30,
    requireApproval: false,
    now: new Date(`${at}T10:00:00Z`),
  });
}

/** Runs the policy page's loader as Remix would, on a given day. */
async function visit(slug: string, at: string, headers: Record<string, string> = {}) {
  vi.setSystemTime(new Date(at));
  const result = await policyPage({
    request: new Request(`http://localhost/policies/${slug}`, { headers }),
    params: { slug },
    context: testLoadContext(),
  });
  const init = (result as unknown as { init: ResponseInit }).init;
  const data = (
    result as unknown as { data: { version: { number: number }; upcoming: { number: number } | null } }
  ).data;
  return { status: init.status ?? 200, headers: new Headers(init.headers), data };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the policy page's ETag", () => {
  it("changes on the day an upcoming version takes effect, and not before", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    await publish("dated", "We keep data 12 months.", "2026-01-01", "2026-01-01");
    await publish("dated", "We keep data 36 months.", "2026-02-01", "2026-03-01");

    const before = await visit("dated", "2026-02-27T12:00:00Z");
    expect(before.data.version.number).toBe(1);
    expect(before.data.upcoming?.number).toBe(2);
    const dayBefore = await visit("dated", "2026-02-28T23:59:00Z");
    expect(dayBefore.headers.get("ETag")).toBe(before.headers.get("ETag"));
    expect(dayBefore.headers.get("Cache-Control")).toBe("public, max-age=60");

    const after = await visit("dated", "2026-03-01T00:00:01Z");
    expect(after.data.version.number).toBe(2);
    expect(after.data.upcoming).toBeNull();
    expect(after.headers.get("ETag")).not.toBe(before.headers.get("ETag"));

    const revisit = await visit("dated", "2026-03-01T00:00:02Z", {
      "If-None-Match": before.headers.get("ETag")!,
    });
    expect(revisit.status).toBe(200);
  });

  it("answers 304 for an unchanged policy without building the page", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    await publish("steady", "We keep data 6 months.", "2026-01-01", "2026-01-01");
    const first = await visit("steady", "2026-04-01T12:00:00Z");
    const second = await visit("steady", "2026-04-02T12:00:00Z", {
      "If-None-Match": first.headers.get("ETag")!,
    });
    expect(second.status).toBe(304);
    expect(second.data).toBeNull();
  });
});

describe("a translation", () => {
  it("is outdated when the original has a newer version than the one it translates", async () => {
    const english1 = await publish("translated", "We keep data 12 months.", "2026-01-01", "2026-01-01");
    // The version a translation translates is recorded when its draft is made (published rows are frozen).
    const german1 = await publish(
      "translated",
      "Wir speichern Daten 12 Monate.",
      "2026-01-02",
      "2026-01-02",
      "de",
      english1.id,
    );
    const [en] = await db().select().from(documents).where(eq(documents.id, english1.documentId));
    await db().update(documents).set({ translationOfId: en.id }).where(eq(documents.id, german1.documentId));

    const now = new Date("2026-06-01T00:00:00Z");
    expect((await findPublicPolicy({ slug: "translated", lang: "de", now }))?.translation).toMatchObject({
      sourceLocale: "en",
      basedOnNumber: 1,
      outdated: false,
    });

    // The original moves on: the German text still translates version 1.
    await publish("translated", "We keep data 24 months.", "2026-02-01", "2026-02-01");
    expect((await findPublicPolicy({ slug: "translated", lang: "de", now }))?.translation).toMatchObject({
      sourceCurrent: { number: 2, lastUpdated: "2026-02-01" },
      basedOnNumber: 1,
      outdated: true,
    });

    // A new translation of version 2 is up to date again.
    const english2 = (await db().select().from(versions).where(eq(versions.documentId, en.id))).find(
      (v) => v.number === 2,
    )!;
    await publish(
      "translated",
      "Wir speichern Daten 24 Monate.",
      "2026-02-02",
      "2026-02-02",
      "de",
      english2.id,
    );
    const policy = await findPublicPolicy({ slug: "translated", lang: "de", now });
    expect(policy?.translation).toMatchObject({ basedOnNumber: 2, outdated: false });
    expect(policy?.locales.map((l) => l.locale)).toEqual(["en", "de"]);
    expect((await findPublicPolicy({ slug: "translated", now }))?.translation).toBeNull();
  });

  it("without a recorded source version is outdated when the original was published after it", async () => {
    await publish("dated-translation", "Old terms.", "2026-01-01", "2026-01-01");
    await publish("dated-translation", "Alte Bedingungen.", "2026-01-05", "2026-01-05", "de");
    const now = new Date("2026-06-01T00:00:00Z");
    expect(
      (await findPublicPolicy({ slug: "dated-translation", lang: "de", now }))?.translation?.outdated,
    ).toBe(false);
    await publish("dated-translation", "New terms.", "2026-02-01", "2026-02-01");
    expect(
      (await findPublicPolicy({ slug: "dated-translation", lang: "de", now }))?.translation?.outdated,
    ).toBe(true);
  });
});
