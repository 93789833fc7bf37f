/**
 * Review: submitting a draft, approving it (never by one of its authors), sending it back with a
 * comment, the comments themselves, and the redlines a reviewer reads. Each step is one
 * transaction with its audit entry.
 */
import { desc, eq } from "drizzle-orm";
import { first } from "../../db/dialect";
import {
  type Document,
  type ReviewComment,
  reviewComments,
  users,
  type Version,
  versions,
} from "../../db/tables";
import type { PolicyDiff, Redline } from "../core/diff";
import type { PolicyContent } from "../core/document";
import { Refusal } from "../core/refusal";
import {
  checkFourEyes,
  checkRevision,
  checkSendBackComment,
  nextState,
  type ReviewStep,
} from "../core/versions/review";
import { isPublishedState } from "../core/versions/workflow";
import { runRedline } from "../diff-pool.server";
import { timeDiff } from "../metrics.server";
import { recordAudit } from "./audit.server";
import { reader, transaction } from "./db.server";
import { getPolicyInEffect } from "./documents.server";
import { checkEditorContent, EMPTY_DOCUMENT } from "./drafts.server";
import { publishedRedline } from "./redlines.server";
import { authorIdsOf, findLatestPublishedVersion, findOpenVersion } from "./versions.server";

type UserActor = { kind: "user"; id: number };

const STEP_ACTIONS: Record<ReviewStep, string> = {
  submit: "version.submitted",
  approve: "version.approved",
  "send-back": "version.sent-back",
};

/**
 * Moves the document's open version one step: submit (draft → in review), approve (in review →
 * approved; never by one of its authors) or send back (in review/approved → draft, with a comment).
 * `expectedRevision` makes sure the step applies to the text the person saw.
 */
export async function reviewStep(input: {
  documentId: number;
  step: ReviewStep;
  expectedRevision: number;
  comment?: string | null;
  actor: UserActor;
}): Promise<Version> {
  const comment =
    input.step === "send-back" ? checkSendBackComment(input.comment) : input.comment?.trim() || null;
  return transaction(async (tx) => {
    const open = await findOpenVersion(tx, input.documentId);
    if (!open) throw new Refusal("conflict", "there is no open version to review; start a draft first");
    const target = nextState(input.step, open.state);
    checkRevision({ expected: input.expectedRevision, current: open.revision });
    if (input.step === "approve") {
      checkFourEyes({
        approverId: input.actor.id,
        authorIds: (await authorIdsOf(tx, [open.id])).get(open.id)!,
      });
    }
    if (input.step === "submit") {
      const latest = await findLatestPublishedVersion(tx, input.documentId);
      if (latest && latest.contentHash === open.contentHash) {
        throw new Refusal(
          "conflict",
          `no changes: this draft is identical to published version ${latest.number}`,
        );
      }
    }
    const updated = (await first(
      tx
        .update(versions)
        .set({
          state: target,
          approvedById: input.step === "approve" ? input.actor.id : null,
          updatedAt: new Date().toISOString(),
        })
        .where(eq(versions.id, open.id))
        .returning(),
    ))!;
    if (comment) {
      await tx.insert(reviewComments).values({
        versionId: open.id,
        authorId: input.actor.id,
        kind: input.step === "send-back" ? "sent-back" : "approved",
        revision: open.revision,
        body: comment,
      });
    }
    await recordAudit(tx, {
      actor: input.actor,
      action: STEP_ACTIONS[input.step],
      documentId: input.documentId,
      versionId: open.id,
      details: {
        number: open.number,
        revision: open.revision,
        from: open.state,
        to: target,
        ...(comment ? { comment } : {}),
      },
    });
    return updated;
  });
}

export type CommentRow = ReviewComment & { authorEmail: string };

export async function listReviewComments(versionId: number): Promise<CommentRow[]> {
  return await reader()
    .select({
      id: reviewComments.id,
      versionId: reviewComments.versionId,
      authorId: reviewComments.authorId,
      kind: reviewComments.kind,
      revision: reviewComments.revision,
      body: reviewComments.body,
      createdAt: reviewComments.createdAt,
      authorEmail: users.email,
    })
    .from(reviewComments)
    .innerJoin(users, eq(users.id, reviewComments.authorId))
    .where(eq(reviewComments.versionId, versionId))
    .orderBy(desc(reviewComments.id));
}

export type Comparison = Pick<Redline, "html" | "changesHtml"> & {
  /** The diff's statistics and materiality suggestion. */
  diff: Pick<PolicyDiff, "stats" | "material">;
};

const comparison = ({ summary, html, changesHtml }: Redline): Comparison => ({
  diff: { stats: summary.stats, material: summary.material },
  html,
  changesHtml,
});

/** The redline between two contents (drafts included), computed in the diff pool; never stored. */
async function compareContent(older: PolicyContent, newer: PolicyContent): Promise<Comparison> {
  return comparison(await timeDiff("workspace", () => runRedline({ older, newer })));
}

/**
 * The redline between two versions of a document: from the store when both are published (ADR
 * 0018), computed afresh when one of them is not.
 */
export async function compareVersions(
  older: Pick<Version, "id" | "state" | "contentHash" | "content">,
  newer: Pick<Version, "id" | "state" | "contentHash" | "content">,
): Promise<Comparison> {
  if (isPublishedState(older.state) && isPublishedState(newer.state)) {
    return comparison(await publishedRedline(older, newer, "workspace"));
  }
  return compareContent(older.content, newer.content);
}

/** The redline from the version in effect to `version` (or from nothing, for a first version). */
export async function compareWithInEffect(
  document: Document,
  version: Version,
): Promise<{ inEffect: Pick<Version, "number" | "lastUpdated" | "effectiveAt"> | null } & Comparison> {
  const policy = await getPolicyInEffect({ slug: document.slug, locale: document.locale });
  const base = policy && policy.current.id !== version.id ? policy.current : null;
  return {
    inEffect: base
      ? { number: base.number, lastUpdated: base.lastUpdated, effectiveAt: base.effectiveAt }
      : null,
    ...(await compareContent(base?.content ?? EMPTY_DOCUMENT, version.content)),
  };
}

/**
 * A save refused because the draft moved on: the stored draft (theirs, or this person's from another
 * tab) against the text that was refused, as a redline. Null when the refused text is not a valid
 * document or the version is gone.
 */
export async function compareWithStoredDraft(versionId: number, refused: string): Promise<Comparison | null> {
  let content: PolicyContent;
  try {
    content = checkEditorContent(refused);
  } catch {
    return null;
  }
  const stored = await first(
    reader().select({ content: versions.content }).from(versions).where(eq(versions.id, versionId)),
  );
  return stored ? compareContent(stored.content, content) : null;
}
