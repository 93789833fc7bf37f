/**
 * What the public site reads: published versions only, never drafts. Bodies (HTML, text, outline)
 * and redlines of published versions never change, so they are kept in in-memory caches bounded in
 * bytes (redlines are also stored in the database, app/models/redlines.server.ts); the list of versions and their status is read per request (a few indexed rows),
 * because it changes when a version is published or takes effect.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { and, eq, inArray, min, sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { LRUCache } from "lru-cache";
import { first, joinedText, row } from "../../db/dialect";
import type { PgEngine } from "../../db/pg/engine";
import { brandingRevisions, type Document, documents, versions } from "../../db/tables";
import { isoDateOf } from "../core/dates";
import { type PolicyDiff, type Redline, redlineDiff, redlineSize } from "../core/diff";
import type { OutlineEntry } from "../core/document";
import { PUBLIC_STATES, REPLACED } from "../core/versions/workflow";
import { currentBranding } from "./branding.server";
import { engine, reader } from "./db.server";
import { DEFAULT_LOCALE } from "./documents.server";
import { publishedRedline } from "./redlines.server";
import { isPublishedVersion, listPublishedVersions, type PublishedVersionSummary } from "./versions.server";

/** A published version without its body. */
export type PublicVersion = PublishedVersionSummary;

type PublicLocale = { locale: string; title: string };

/** How a translation relates to the version of the original it was made from. */
type TranslationStatus = {
  sourceLocale: string;
  sourceTitle: string;
  /** The original's version in effect. */
  sourceCurrent: { number: number; lastUpdated: string } | null;
  /** The original's version this translation translates, when recorded. */
  basedOnNumber: number | null;
  /** True when the original has a newer version in effect than the one translated. */
  outdated: boolean;
};

export type PublicPolicy = {
  document: Pick<Document, "id" | "slug" | "locale" | "title">;
  /** Published versions, newest first. */
  versions: PublicVersion[];
  current: PublicVersion | null;
  /** The latest published version whose effective date has not come yet. */
  upcoming: PublicVersion | null;
  /** Languages of this slug that have a version in effect, for the language switcher. */
  locales: PublicLocale[];
  /** Present when this document is a translation. */
  translation: TranslationStatus | null;
  /**
   * The branding revision the pages are framed with (ADR 0026): part of every ETag made from the
   * policy, so a new name or logo is a new representation.
   */
  branding: number;
};

/** The document `?lang=` names, or without it the default language (else the original). */
function chooseDocument(siblings: Document[], lang: string | null): Document | undefined {
  if (lang) return siblings.find((d) => d.locale.toLowerCase() === lang.toLowerCase());
  return (
    siblings.find((d) => d.locale === DEFAULT_LOCALE) ??
    siblings.find((d) => d.translationOfId === null) ??
    siblings[0]
  );
}

/**
 * The original a translation translates: `translationOfId` when recorded; otherwise, for a document
 * in another language than the default one that nothing translates, the default-language original.
 */
function sourceOf(document: Document, siblings: Document[]): Document | undefined {
  if (document.translationOfId !== null) return siblings.find((d) => d.id === document.translationOfId);
  if (document.locale === DEFAULT_LOCALE || siblings.some((d) => d.translationOfId === document.id)) {
    return undefined;
  }
  return siblings.find((d) => d.locale === DEFAULT_LOCALE && d.translationOfId === null);
}

/**
 * A policy as the public site shows it: its published versions with their status today, the languages
 * it exists in and, for a translation, whether the original has moved on. Null when the slug (or the
 * language `lang` names) does not exist or has nothing published.
 */
export async function findPublicPolicy({
  slug,
  lang = null,
  now = new Date(),
}: {
  slug: string;
  lang?: string | null;
  now?: Date;
}): Promise<PublicPolicy | null> {
  const today = isoDateOf(now);
  const siblings = await reader().select().from(documents).where(eq(documents.slug, slug));
  const document = chooseDocument(siblings, lang);
  if (!document) return null;
  const published = await listPublishedVersions(document.id, now);
  if (published.length === 0) return null;

  const firstEffective = await reader()
    .select({ documentId: versions.documentId, effectiveAt: min(versions.effectiveAt) })
    .from(versions)
    .where(
      and(
        inArray(
          versions.documentId,
          siblings.map((d) => d.id),
        ),
        isPublishedVersion,
      ),
    )
    .groupBy(versions.documentId);
  const inEffect = new Set(
    firstEffective.filter((row) => row.effectiveAt && row.effectiveAt <= today).map((row) => row.documentId),
  );
  // The default language first, then originals, then translations, each alphabetical.
  const rank = (d: Document) => (d.locale === DEFAULT_LOCALE ? 0 : d.translationOfId === null ? 1 : 2);
  const locales = siblings
    .filter((d) => inEffect.has(d.id))
    .sort((a, b) => rank(a) - rank(b) || a.locale.localeCompare(b.locale))
    .map((d) => ({ locale: d.locale, title: d.title }));

  const current = published.find((v) => v.status === "current") ?? null;
  const source = sourceOf(document, siblings);
  let translation: TranslationStatus | null = null;
  if (source) {
    const sourceVersions = await listPublishedVersions(source.id, now);
    const sourceCurrent = sourceVersions.find((v) => v.status === "current") ?? null;
    const basedOn =
      current?.basedOnVersionId != null
        ? (sourceVersions.find((v) => v.id === current.basedOnVersionId) ?? null)
        : null;
    const outdated =
      !!sourceCurrent &&
      !!current &&
      (basedOn ? sourceCurrent.number > basedOn.number : sourceCurrent.publishedAt > current.publishedAt);
    translation = {
      sourceLocale: source.locale,
      sourceTitle: source.title,
      sourceCurrent: sourceCurrent
        ? { number: sourceCurrent.number, lastUpdated: sourceCurrent.lastUpdated }
        : null,
      basedOnNumber: basedOn?.number ?? null,
      outdated,
    };
  }

  return {
    document: { id: document.id, slug: document.slug, locale: document.locale, title: document.title },
    versions: published,
    current,
    upcoming: published.find((v) => v.status === "upcoming") ?? null,
    locales,
    translation,
    branding: (await currentBranding()).revision,
  };
}

/**
 * Published bodies and redlines never change, so cached copies never go stale: the caches are only
 * bounded, by the memory their strings take (about two bytes a character), not by a count of
 * entries — one 40,000-word redline weighs as much as hundreds of small ones.
 */
const MEGABYTE = 1024 * 1024;

export type VersionBody = { html: string; text: string; outline: OutlineEntry[] };

const bodies = new LRUCache<number, VersionBody>({
  maxSize: 32 * MEGABYTE,
  sizeCalculation: (body) =>
    2 * (body.html.length + body.text.length + body.outline.reduce((n, e) => n + e.text.length + 32, 0)),
});

/** The stored HTML, text and outline of a published version (read once, then kept in memory). */
export async function getPublishedBody(version: Pick<PublicVersion, "id">): Promise<VersionBody> {
  const cached = bodies.get(version.id);
  if (cached) return cached;
  const row = await first(
    reader()
      .select({ html: versions.html, text: versions.text, outline: versions.outline })
      .from(versions)
      .where(and(eq(versions.id, version.id), isPublishedVersion)),
  );
  if (!row) throw new Error(`version ${version.id} is not published`);
  bodies.set(version.id, row);
  return row;
}

/** A public redline: its summary (statistics, reasons, changed sections), blocks (JSON) and HTML. */
export type PublicComparison = Pick<Redline, "summary" | "blocks" | "html">;

const comparisons = new LRUCache<string, PublicComparison>({
  maxSize: 64 * MEGABYTE,
  // Twice the blocks: the JSON API keeps them parsed beside their text (publicDiff).
  sizeCalculation: (comparison) => redlineSize({ ...comparison, changesHtml: comparison.blocks }),
});

/**
 * The redline between two published versions: from memory, else from the store (ADR 0018), else
 * computed once in the diff pool and stored. May refuse as "unavailable" when the pool is full.
 */
export async function comparePublishedVersions(
  from: Pick<PublicVersion, "id" | "contentHash">,
  to: Pick<PublicVersion, "id" | "contentHash">,
): Promise<PublicComparison> {
  const key = `${from.contentHash}:${to.contentHash}`;
  const cached = comparisons.get(key);
  if (cached) return cached;
  const { summary, blocks, html } = await publishedRedline(from, to, "public");
  const comparison = { summary, blocks, html };
  comparisons.set(key, comparison);
  return comparison;
}

const parsed = new WeakMap<PublicComparison, PolicyDiff>();

/** The whole diff of a public redline (the JSON API's answer), parsed once per cached redline. */
export function publicDiff(comparison: PublicComparison): PolicyDiff {
  let diff = parsed.get(comparison);
  if (!diff) {
    diff = redlineDiff({ ...comparison, changesHtml: "" });
    parsed.set(comparison, diff);
  }
  return diff;
}

let stamp: string | undefined;

/**
 * Identifies the running code: part of every public ETag, so a deployment that changes how pages
 * look also changes their tags. The hash of the server bundle this module was built into.
 */
export function renderStamp(): string {
  if (stamp === undefined) {
    try {
      stamp = createHash("sha1")
        .update(readFileSync(fileURLToPath(import.meta.url)))
        .digest("base64url")
        .slice(0, 12);
    } catch {
      stamp = "dev";
    }
  }
  return stamp;
}

const tokenStatements = new WeakMap<object, { get: () => unknown }>();

/**
 * The facts the public state token hashes, in portable SQL (the documents joined by
 * `joinedText`: group_concat or string_agg).
 */
function publicStateQuery(database: ReturnType<typeof reader>) {
  const published = sql.join(
    PUBLIC_STATES.map((state) => sql`${state}`),
    sql`, `,
  );
  const document = sql`${documents.id} || '|' || ${documents.locale} || '|' || ${documents.title} || '|' || coalesce(CAST(${documents.translationOfId} AS text), '')`;
  return sql`SELECT
      (SELECT count(*) || '.' || coalesce(max(${versions.id}), 0) || '.' || count(*) FILTER (WHERE ${versions.state} = ${REPLACED})
         FROM ${versions} WHERE ${versions.state} IN (${published})) AS versions,
      (SELECT ${joinedText(database, document, ";")} FROM ${documents}) AS documents,
      (SELECT coalesce(max(${brandingRevisions.id}), 0) FROM ${brandingRevisions}) AS branding`;
}

const hashState = (now: Date, versionsFacts: string, documentsFacts: string | null, branding: number) =>
  createHash("sha1")
    .update(`${isoDateOf(now)}\n${versionsFacts}\n${documentsFacts ?? ""}\n${branding}`)
    .digest("base64url");

type StateFacts = [string, string | null, number];

/** The PostgreSQL token of this process, valid while its listener's generation is unchanged. */
let pgState: { generation: number; facts: StateFacts } | null = null;
let pgRefresh: Promise<void> | null = null;

/**
 * A short value that changes whenever what the public site shows may have changed: a version published
 * or replaced, a document added, renamed or linked as a translation, a new branding (ADR 0026), or a
 * new UTC day (effective dates). A response cache checks that a stored page is still the page the app would render.
 *
 * Synchronous on purpose (ADR 0017): the response cache asks for it on every hit.
 * - SQLite: a statement prepared once on the read connection answers at once (a covering index scan
 *   and a tiny table).
 * - PostgreSQL: the facts are kept in the process and read again after every change notification
 *   (db/pg/listener.ts, migration 0004) — every process, every host, at commit. While they are
 *   being read, or while the listener is not connected, the answer is null: "not known", and the
 *   cache renders instead of replaying. It never replays a page from before a change.
 */
export function publicStateToken(now = new Date()): string | null {
  const current = engine();
  if (current.kind === "postgres") {
    const listener = (current as PgEngine).listener("redline_public_state");
    if (listener.live && pgState?.generation === listener.generation) {
      return hashState(now, ...pgState.facts);
    }
    if (listener.live && !pgRefresh) {
      const generation = listener.generation;
      pgRefresh = row<{ versions: string; documents: string | null; branding: number }>(
        reader(),
        publicStateQuery(reader()),
      )
        .then((facts) => {
          // A notification during the read makes these facts possibly old: read again next time.
          if (facts && listener.generation === generation) {
            pgState = { generation, facts: [facts.versions, facts.documents, Number(facts.branding)] };
          }
        })
        .catch(() => {})
        .finally(() => {
          pgRefresh = null;
        });
    }
    return null;
  }
  const database = reader();
  const client = database.$client;
  let statement = tokenStatements.get(client);
  if (!statement) {
    const query = new SQLiteSyncDialect().sqlToQuery(publicStateQuery(database));
    const prepared = client.prepare(query.sql).raw();
    statement = { get: () => prepared.get(...query.params) };
    tokenStatements.set(client, statement);
  }
  const facts = statement.get() as StateFacts;
  return hashState(now, facts[0], facts[1], facts[2]);
}
