/**
 * A company's earlier history stored as published versions (`redline import-history`, ADR
 * 0020-import-history). Each imported version goes the way every publication goes — inserted as a
 * draft, its `version.published` entry written last, then published and the one before it replaced —
 * so the database's rules on published rows hold for it unchanged; it is marked imported, claims no
 * materiality and never gets a notice. All versions of one run are written in one transaction.
 */
import { and, asc, eq, inArray } from "drizzle-orm";
import { first } from "../../db/dialect";
import { type Document, documents, type Version, versions } from "../../db/tables";
import type { PolicyContent, RenderedPolicy } from "../core/document";
import { checkNewDocument } from "../core/documents";
import type { ExistingHistory } from "../core/history/plan";
import { describeSource, type ImportedOrigin } from "../core/history/types";
import { Refusal } from "../core/refusal";
import { OPEN_STATES, PUBLIC_STATES, REPLACED } from "../core/versions/workflow";
import { recordAudit } from "./audit.server";
import { type Actor, reader, type Transaction, transaction } from "./db.server";
import { type StoredRedline, storeRedline } from "./redlines.server";

type Database = Pick<Transaction, "select">;

/** The document's stored history as the import plan needs it, and the latest published text. */
export async function readHistoryTarget({ slug, locale }: { slug: string; locale: string }): Promise<{
  document: Document | null;
  existing: ExistingHistory;
  latestContent: PolicyContent | null;
}> {
  return readTarget(reader(), slug, locale);
}

async function readTarget(database: Database, slug: string, locale: string) {
  const document =
    (await first(
      database
        .select()
        .from(documents)
        .where(and(eq(documents.slug, slug), eq(documents.locale, locale))),
    )) ?? null;
  if (!document) return { document, existing: { versions: [], openDraft: null }, latestContent: null };
  const published = await database
    .select({
      number: versions.number,
      contentHash: versions.contentHash,
      publishedAt: versions.publishedAt,
      effectiveAt: versions.effectiveAt,
    })
    .from(versions)
    .where(and(eq(versions.documentId, document.id), inArray(versions.state, [...PUBLIC_STATES])))
    .orderBy(asc(versions.number));
  const open = await first(
    database
      .select({ number: versions.number })
      .from(versions)
      .where(and(eq(versions.documentId, document.id), inArray(versions.state, [...OPEN_STATES]))),
  );
  const latest = published[published.length - 1];
  const latestContent = latest
    ? ((
        await first(
          database
            .select({ content: versions.content })
            .from(versions)
            .where(and(eq(versions.documentId, document.id), eq(versions.number, latest.number))),
        )
      )?.content ?? null)
    : null;
  return {
    document,
    existing: {
      // A published row always has its dates (CHECK constraint).
      versions: published.map((v) => ({ ...v, publishedAt: v.publishedAt!, effectiveAt: v.effectiveAt! })),
      openDraft: open?.number ?? null,
    },
    latestContent,
  };
}

export type HistoryVersion = {
  number: number;
  content: PolicyContent;
  rendered: RenderedPolicy;
  lastUpdated: string;
  effectiveAt: string;
  publishedAt: string;
  imported: ImportedOrigin;
};

/**
 * Stores planned versions as published, imported versions of the document (created with `title` when
 * it does not exist), in one transaction: if the document changed since the plan was made — another
 * version published, a draft opened — nothing is written and the import is refused.
 */
export async function importHistory(input: {
  slug: string;
  locale: string;
  title: string;
  /** The number of the document's latest published version when the plan was made (0: none). */
  plannedAfter: number;
  versions: HistoryVersion[];
  /** The redlines between consecutive versions, stored with them (ADR 0022). */
  redlines?: StoredRedline[];
  actor: Actor;
}): Promise<{ document: Document; imported: Version[] }> {
  return transaction(async (tx) => {
    const target = await readTarget(tx, input.slug, input.locale);
    const latest = target.existing.versions[target.existing.versions.length - 1]?.number ?? 0;
    if (latest !== input.plannedAfter || target.existing.openDraft !== null) {
      throw new Refusal("conflict", `${input.slug} changed while its history was read; run the import again`);
    }
    let document = target.document;
    if (!document) {
      const title = checkNewDocument({ slug: input.slug, locale: input.locale, title: input.title });
      [document] = await tx
        .insert(documents)
        .values({ slug: input.slug, locale: input.locale, title })
        .returning();
      await recordAudit(tx, {
        actor: input.actor,
        action: "document.created",
        documentId: document.id,
        details: { slug: document.slug, locale: document.locale, title: document.title },
      });
    }
    const imported: Version[] = [];
    for (const version of input.versions) {
      imported.push(await publishImported(tx, document, version, input.actor));
    }
    for (const { key, redline } of input.redlines ?? []) await storeRedline(tx, key, redline);
    return { document, imported };
  });
}

/** One imported version, published the way every version is (the database checks the order). */
async function publishImported(
  tx: Transaction,
  document: Document,
  version: HistoryVersion,
  actor: Actor,
): Promise<Version> {
  const [draft] = await tx
    .insert(versions)
    .values({
      documentId: document.id,
      number: version.number,
      content: version.content,
      html: version.rendered.html,
      text: version.rendered.text,
      outline: version.rendered.outline,
      contentHash: version.rendered.contentHash,
      imported: version.imported,
    })
    .returning();
  await tx
    .update(versions)
    .set({ state: REPLACED })
    .where(and(eq(versions.documentId, document.id), eq(versions.state, "published")));
  const now = new Date().toISOString();
  // The one audit entry of an imported version: its publication, naming where it came from. Its
  // materiality is not known, so the entry claims none (material: null).
  const entry = await recordAudit(tx, {
    actor,
    action: "version.published",
    documentId: document.id,
    versionId: draft.id,
    details: {
      slug: document.slug,
      locale: document.locale,
      number: draft.number,
      contentHash: draft.contentHash,
      lastUpdated: version.lastUpdated,
      effectiveAt: version.effectiveAt,
      publishedAt: version.publishedAt,
      material: null,
      summary: null,
      imported: {
        source: version.imported.source,
        from: describeSource(version.imported.source),
        dates: version.imported.dates,
        advice: version.imported.advice
          ? { suggested: version.imported.advice.suggested, reasons: version.imported.advice.reasons.length }
          : null,
      },
    },
  });
  const [published] = await tx
    .update(versions)
    .set({
      state: "published",
      lastUpdated: version.lastUpdated,
      effectiveAt: version.effectiveAt,
      publishedAt: version.publishedAt,
      auditHead: entry.hash,
      updatedAt: now,
    })
    .where(eq(versions.id, draft.id))
    .returning();
  return published;
}
