import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { addDays, isoDateOf } from "../../app/core/dates";
import { parsePolicy } from "../../app/core/document";
import { changeOwnPassword, changeRole, verifyCredentials } from "../../app/models/accounts.server";
import { verifyAuditLog } from "../../app/models/audit.server";
import { db } from "../../app/models/db.server";
import { getPolicyInEffect } from "../../app/models/documents.server";
import {
  createDocument,
  createTranslation,
  saveWorkspaceDraft,
  startDraft,
} from "../../app/models/drafts.server";
import { listVersionHistory } from "../../app/models/history.server";
import {
  accountThrottles,
  reserveAttempt,
  settleAttempt,
  signInKeys,
} from "../../app/models/login-throttle.server";
import { noticesForVersion } from "../../app/models/notices.server";
import { publishApproved } from "../../app/models/publication.server";
import { compareWithStoredDraft, listReviewComments, reviewStep } from "../../app/models/review.server";
import { countUserSessions, createSession, findSession } from "../../app/models/sessions.server";
import { countAudience, upsertSubscribers } from "../../app/models/subscribers.server";
import { createUser } from "../../app/models/users.server";
import { getOpenVersion, versionAuthorIds } from "../../app/models/versions.server";
import { first } from "../../db/dialect";
import { auditLog, deliveries, sessions, signInThrottles, subscribers, users } from "../../db/tables";

const json = (markdown: string) => JSON.stringify(parsePolicy(markdown, "markdown").content);
const today = isoDateOf(new Date());
const people: Record<"editor" | "approver" | "approver2" | "admin", { kind: "user"; id: number }> =
  {} as never;

beforeAll(async () => {
  for (const [key, role] of [
    ["editor", "editor"],
    ["approver", "approver"],
    ["approver2", "approver"],
    ["admin", "admin"],
  ] as const) {
    const user = await createUser({
      email: `${key}@example.com`,
      role,
      password: "correct horse battery",
      actor: { kind: "cli" },
    });
    people[key] = { kind: "user", id: user.id };
  }
});

async function draftReadyForReview(slug: string, text: string) {
  const document = await createDocument({ slug, title: "Privacy", locale: "en", actor: people.editor });
  const open = (await getOpenVersion(document.id))!;
  const saved = await saveWorkspaceDraft({
    documentId: document.id,
    content: json(`## 1. Data\n\n${text}`),
    expectedRevision: open.revision,
    actor: people.editor,
  });
  return { document, saved };
}

const actionsFor = async (versionId: number) =>
  (
    await db().select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.versionId, versionId))
  ).map((r) => r.action);

describe("the review workflow in the database", () => {
  it("takes a draft through review, approval and publication, recording every step in the audit log", async () => {
    const { document, saved } = await draftReadyForReview("flow", "We keep data 12 months.");
    await reviewStep({
      documentId: document.id,
      step: "submit",
      expectedRevision: saved.revision,
      actor: people.editor,
    });
    const approved = await reviewStep({
      documentId: document.id,
      step: "approve",
      expectedRevision: saved.revision,
      actor: people.approver,
    });
    expect(approved).toMatchObject({ state: "approved", approvedById: people.approver.id });
    const published = await publishApproved({
      documentId: document.id,
      expectedRevision: saved.revision,
      form: { lastUpdated: today, effectiveAt: today, material: false, summary: null, overrideReason: null },
      actor: people.approver,
      role: "approver",
      noticePeriodDays: 30,
    });
    expect(published).toMatchObject({
      state: "published",
      publishedById: people.approver.id,
      lastUpdated: today,
    });
    expect(await actionsFor(published.id)).toEqual([
      "version.drafted",
      "version.draft-saved",
      "version.submitted",
      "version.approved",
      "version.published",
    ]);
    expect((await getPolicyInEffect({ slug: "flow" }))?.current.text).toContain("12 months");
    expect((await verifyAuditLog()).break).toBeNull();
  });

  it("never lets an approver approve a draft they saved a revision of", async () => {
    const { document, saved } = await draftReadyForReview("four-eyes", "Original text.");
    const edited = await saveWorkspaceDraft({
      documentId: document.id,
      content: json("## 1. Data\n\nEdited by the approver."),
      expectedRevision: saved.revision,
      actor: people.approver,
    });
    expect(await versionAuthorIds(edited.id)).toEqual(new Set([people.editor.id, people.approver.id]));
    await reviewStep({
      documentId: document.id,
      step: "submit",
      expectedRevision: edited.revision,
      actor: people.approver,
    });
    await expect(
      reviewStep({
        documentId: document.id,
        step: "approve",
        expectedRevision: edited.revision,
        actor: people.approver,
      }),
    ).rejects.toThrow(/another approver must approve it/);
    expect((await getOpenVersion(document.id))?.state).toBe("in_review");
    await expect(
      reviewStep({
        documentId: document.id,
        step: "approve",
        expectedRevision: edited.revision,
        actor: people.approver2,
      }),
    ).resolves.toMatchObject({ state: "approved" });
  });

  it("sends a draft back with a comment the editor can read, and lets them edit again", async () => {
    const { document, saved } = await draftReadyForReview("sent-back", "Vague text.");
    await reviewStep({
      documentId: document.id,
      step: "submit",
      expectedRevision: saved.revision,
      actor: people.editor,
    });
    await expect(
      reviewStep({
        documentId: document.id,
        step: "send-back",
        expectedRevision: saved.revision,
        actor: people.approver,
      }),
    ).rejects.toThrow(/comment is required/);
    const back = await reviewStep({
      documentId: document.id,
      step: "send-back",
      expectedRevision: saved.revision,
      comment: "Name the retention period.",
      actor: people.approver,
    });
    expect(back.state).toBe("draft");
    expect(await listReviewComments(back.id)).toMatchObject([
      { kind: "sent-back", body: "Name the retention period.", authorEmail: "approver@example.com" },
    ]);
    await expect(
      saveWorkspaceDraft({
        documentId: document.id,
        content: json("## 1. Data\n\nWe keep data 12 months."),
        expectedRevision: back.revision,
        actor: people.editor,
      }),
    ).resolves.toMatchObject({ revision: back.revision + 1 });
  });

  it("refuses a save based on an older revision and keeps the other person's text", async () => {
    const { document, saved } = await draftReadyForReview("conflict", "First.");
    await saveWorkspaceDraft({
      documentId: document.id,
      content: json("## 1. Data\n\nAlice's change."),
      expectedRevision: saved.revision,
      actor: people.editor,
    });
    await expect(
      saveWorkspaceDraft({
        documentId: document.id,
        content: json("## 1. Data\n\nBob's change."),
        expectedRevision: saved.revision,
        actor: people.approver,
      }),
    ).rejects.toThrow(/changed by someone else/);
    expect((await getOpenVersion(document.id))?.text).toContain("Alice's change.");
    // What the editor shows for it: the stored draft against the refused text, as a redline.
    const open = (await getOpenVersion(document.id))!;
    const redline = await compareWithStoredDraft(open.id, json("## 1. Data\n\nBob's change."));
    expect(redline?.changesHtml).toContain("<del>Alice");
    expect(redline?.changesHtml).toContain("<ins>Bob");
  });

  it("refuses content over 2 MB or outside the schema and keeps the previous draft", async () => {
    const { document, saved } = await draftReadyForReview("bad-input", "Keep me.");
    const huge = JSON.stringify({
      type: "doc",
      content: [{ type: "paragraph", content: [{ type: "text", text: "x".repeat(2_200_000) }] }],
    });
    await expect(
      saveWorkspaceDraft({
        documentId: document.id,
        content: huge,
        expectedRevision: saved.revision,
        actor: people.editor,
      }),
    ).rejects.toThrow(/larger than 2 MB/);
    await expect(
      saveWorkspaceDraft({
        documentId: document.id,
        content: JSON.stringify({ type: "doc", content: [{ type: "video", attrs: { src: "x" } }] }),
        expectedRevision: saved.revision,
        actor: people.editor,
      }),
    ).rejects.toThrow(/does not fit the policy schema/);
    const open = await getOpenVersion(document.id);
    expect(open).toMatchObject({ revision: saved.revision });
    expect(open?.text).toContain("Keep me.");
  });

  it("drops javascript: links from saved content", async () => {
    const { document, saved } = await draftReadyForReview("links", "Text.");
    const content = {
      type: "doc",
      content: [
        {
          type: "paragraph",
          content: [
            { type: "text", text: "evil", marks: [{ type: "link", attrs: { href: "javascript:alert(1)" } }] },
            {
              type: "text",
              text: " good",
              marks: [{ type: "link", attrs: { href: "https://example.com" } }],
            },
          ],
        },
      ],
    };
    const version = await saveWorkspaceDraft({
      documentId: document.id,
      content: JSON.stringify(content),
      expectedRevision: saved.revision,
      actor: people.editor,
    });
    expect(version.html).not.toContain("javascript:");
    expect(version.html).toContain('href="https://example.com"');
  });

  it("publishes a material change only after the notice period, unless an admin overrides with a reason", async () => {
    const { document, saved } = await draftReadyForReview("material", "We now share data with Parcelpay.");
    await reviewStep({
      documentId: document.id,
      step: "submit",
      expectedRevision: saved.revision,
      actor: people.editor,
    });
    await reviewStep({
      documentId: document.id,
      step: "approve",
      expectedRevision: saved.revision,
      actor: people.approver,
    });
    const soon = addDays(today, 3);
    const form = {
      lastUpdated: today,
      effectiveAt: soon,
      material: true,
      summary: "New processor.",
      overrideReason: null,
    };
    const publish = (role: "approver" | "admin", overrideReason: string | null) =>
      publishApproved({
        documentId: document.id,
        expectedRevision: saved.revision,
        form: { ...form, overrideReason },
        actor: role === "admin" ? people.admin : people.approver,
        role,
        noticePeriodDays: 30,
      });
    await expect(publish("approver", "urgent")).rejects.toThrow(/only an admin/);
    await expect(publish("admin", null)).rejects.toThrow(/give a reason/);
    await expect(
      publishApproved({
        documentId: document.id,
        expectedRevision: saved.revision,
        form: { ...form, effectiveAt: addDays(today, 30), summary: " " },
        actor: people.approver,
        role: "approver",
        noticePeriodDays: 30,
      }),
    ).rejects.toThrow(/needs a plain-language summary/);
    const published = await publish("admin", "Court order requires it.");
    expect(published).toMatchObject({ state: "published", effectiveAt: soon, material: true });
    const entry = await first(
      db()
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.versionId, published.id), eq(auditLog.action, "version.published"))),
    );
    expect(entry?.details).toMatchObject({
      noticePeriodOverrideReason: "Court order requires it.",
      noticePeriodShortened: true,
      effectiveAt: soon,
    });
  });

  it("publishes a material change that notifies only the chosen audience, in the same transaction", async () => {
    await upsertSubscribers([
      {
        externalId: "eu-1",
        email: "eu1@example.com",
        name: null,
        locale: "en",
        attributes: { region: "EU" },
      },
      {
        externalId: "eu-2",
        email: "eu2@example.com",
        name: null,
        locale: "en",
        attributes: { region: "EU" },
      },
      {
        externalId: "us-1",
        email: "us1@example.com",
        name: null,
        locale: "en",
        attributes: { region: "US" },
      },
    ]);
    expect(await countAudience({ region: "EU" })).toBe(2);
    const { document, saved } = await draftReadyForReview("notify", "We now share data with Glimmer ApS.");
    for (const [step, actor] of [
      ["submit", people.editor],
      ["approve", people.approver],
    ] as const) {
      await reviewStep({ documentId: document.id, step, expectedRevision: saved.revision, actor });
    }
    const published = await publishApproved({
      documentId: document.id,
      expectedRevision: saved.revision,
      form: {
        lastUpdated: today,
        effectiveAt: addDays(today, 30),
        material: true,
        summary: "A new analytics processor.",
        overrideReason: null,
      },
      actor: people.approver,
      role: "approver",
      noticePeriodDays: 30,
      notify: { channels: ["email", "dashboard"], audience: { region: "EU" }, requireAck: true },
    });
    const [notice] = (await noticesForVersion({ slug: "notify", number: published.number })) ?? [];
    expect(notice).toMatchObject({ requiresAck: true });
    const recipients = (
      await db()
        .select({ externalId: subscribers.externalId, channel: deliveries.channel })
        .from(deliveries)
        .innerJoin(subscribers, eq(subscribers.id, deliveries.subscriberId))
        .where(eq(deliveries.noticeId, notice.id))
    )
      .map((r) => `${r.externalId}:${r.channel}`)
      .sort();
    expect(recipients).toEqual(["eu-1:dashboard", "eu-1:email", "eu-2:dashboard", "eu-2:email"]);
  });

  it("restores an old version as a new draft that records its origin", async () => {
    const { document, saved } = await draftReadyForReview("restore", "Version one text.");
    await reviewStep({
      documentId: document.id,
      step: "submit",
      expectedRevision: saved.revision,
      actor: people.editor,
    });
    await reviewStep({
      documentId: document.id,
      step: "approve",
      expectedRevision: saved.revision,
      actor: people.approver,
    });
    const v1 = await publishApproved({
      documentId: document.id,
      expectedRevision: saved.revision,
      form: { lastUpdated: today, effectiveAt: today, material: false, summary: null, overrideReason: null },
      actor: people.approver,
      role: "approver",
      noticePeriodDays: 30,
    });
    const draft = await startDraft({ documentId: document.id, fromNumber: 1, actor: people.editor });
    expect(draft).toMatchObject({
      number: 2,
      state: "draft",
      basedOnVersionId: v1.id,
      contentHash: v1.contentHash,
    });
    await expect(
      startDraft({ documentId: document.id, fromNumber: 1, actor: people.editor }),
    ).rejects.toThrow(/still open/);
    const history = await listVersionHistory(document.id);
    expect(history.map((v) => [v.number, v.state])).toEqual([
      [2, "draft"],
      [1, "published"],
    ]);
    expect(history[1]).toMatchObject({
      approverEmail: "approver@example.com",
      authorEmails: ["editor@example.com"],
    });
  });

  it("creates a translation linked to the source version it translates", async () => {
    const source = (await getPolicyInEffect({ slug: "flow" }))!;
    const translation = await createTranslation({
      sourceDocumentId: source.document.id,
      locale: "de",
      title: "Datenschutz",
      actor: people.editor,
    });
    expect(translation).toMatchObject({ slug: "flow", locale: "de", translationOfId: source.document.id });
    expect(await getOpenVersion(translation.id)).toMatchObject({
      number: 1,
      basedOnVersionId: source.current.id,
      contentHash: source.current.contentHash,
    });
  });
});

describe("accounts and sessions", () => {
  it("signs in with the right password only", async () => {
    expect(
      await verifyCredentials({ email: "Editor@Example.com ", password: "correct horse battery" }),
    ).toMatchObject({
      email: "editor@example.com",
    });
    expect(await verifyCredentials({ email: "editor@example.com", password: "wrong" })).toBeNull();
    expect(await verifyCredentials({ email: "nobody@example.com", password: "wrong" })).toBeNull();
  });

  it("stores only a hash of the session token, and a password change ends the other sessions", async () => {
    const first = await createSession({ userId: people.editor.id });
    const second = await createSession({ userId: people.editor.id });
    const stored = (await db().select({ tokenHash: sessions.tokenHash }).from(sessions)).map(
      (r) => r.tokenHash,
    );
    expect(stored).not.toContain(first.token);
    const current = (await findSession(first.token))!;
    await changeOwnPassword({
      userId: people.editor.id,
      currentPassword: "correct horse battery",
      newPassword: "a new long password",
      keepSessionId: current.sessionId,
    });
    expect(await findSession(first.token)).not.toBeNull();
    expect(await findSession(second.token)).toBeNull();
    expect(await countUserSessions(people.editor.id)).toBe(1);
    expect(
      await verifyCredentials({ email: "editor@example.com", password: "a new long password" }),
    ).not.toBeNull();
  });

  it("ends a session that has been idle too long", async () => {
    const { token } = await createSession({ userId: people.approver.id });
    expect(await findSession(token, new Date(Date.now() + 9 * 60 * 60 * 1000))).toBeNull();
  });

  it("charges sign-ins to their counters before the password check, without storing who or where", async () => {
    const keys = signInKeys({ email: "Target@Example.com", address: "203.0.113.9" });
    const decisions = await Promise.all(Array.from({ length: 20 }, () => reserveAttempt(keys)));
    const passed = decisions.filter((d) => d.allowed);
    expect(passed).toHaveLength(5);
    const refused = decisions.find((d) => !d.allowed);
    expect(refused && !refused.allowed && refused.retryAfterSeconds).toBe(30);
    const stored = JSON.stringify(await db().select().from(signInThrottles));
    expect(stored).not.toMatch(/target|example|203\.0\.113/i);
    // The same account from a browser that signed in to it before has its own budget.
    const trusted = signInKeys({
      email: "target@example.com",
      address: "203.0.113.9",
      trustedDevice: "laptop",
    });
    expect((await reserveAttempt(trusted)).allowed).toBe(true);
    expect((await accountThrottles(["target@example.com"])).get("target@example.com")?.failures).toBe(5);
    // A right password: the source starts afresh, the account and address get the attempt back.
    if (passed[0]?.allowed) await settleAttempt(passed[0].attempt);
    expect((await reserveAttempt(keys)).allowed).toBe(true);
  });

  it("keeps at least one admin", async () => {
    await expect(
      changeRole({ userId: people.admin.id, role: "viewer", actor: people.admin }),
    ).rejects.toThrow(/last admin/);
    await changeRole({ userId: people.approver2.id, role: "editor", actor: people.admin });
    expect(
      (await first(db().select({ role: users.role }).from(users).where(eq(users.id, people.approver2.id))))
        ?.role,
    ).toBe("editor");
  });
});
