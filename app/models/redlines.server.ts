/**
 * Redlines between published versions, computed once and stored (ADR 0018): keyed by the two
 * versions' content hashes and the engine version, written when the newer version is published
 * (publication.server.ts) or, for any other pair, the first time someone asks. Comparisons run in
 * the diff pool, never on the event loop of the web process.
 */
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { first } from "../../db/dialect";
import { storedDiffs, versions } from "../../db/tables";
import { DIFF_ENGINE_VERSION, type DiffOptions, type Redline } from "../core/diff";
import type { PolicyContent } from "../core/document";
import { runRedline } from "../diff-pool.server";
import { timeDiff } from "../metrics.server";
import { reader, type Transaction, transaction } from "./db.server";
import { isPublishedVersion } from "./versions.server";

/**
 * A stored redline is computed once and read for years: it gets a budget ten times the interactive
 * one, off the event loop, so that large changes come back complete (no block "replaced whole", no
 * materiality cut short) where the engine can manage it.
 */
export const STORED_DIFF_OPTIONS: DiffOptions = { timeoutMs: 1_000, blockTimeoutMs: 200 };

/** What identifies a stored redline: the content of both sides. */
export type DiffKey = { fromHash: string; toHash: string };

/** The stored redline between two contents, computed by the current engine, if there is one. */
export async function findStoredRedline(key: DiffKey): Promise<Redline | undefined> {
  return first(
    reader()
      .select({
        summary: storedDiffs.summary,
        blocks: storedDiffs.blocks,
        html: storedDiffs.html,
        changesHtml: storedDiffs.changesHtml,
      })
      .from(storedDiffs)
      .where(
        and(
          eq(storedDiffs.fromHash, key.fromHash),
          eq(storedDiffs.toHash, key.toHash),
          eq(storedDiffs.engine, DIFF_ENGINE_VERSION),
        ),
      ),
  );
}

/** A redline with the pair of contents it compares, as the import stores it. */
export type StoredRedline = { key: DiffKey; redline: Redline };

/**
 * Stores a redline in the caller's transaction (a second writer of the same pair changes nothing)
 * and drops the pair's rows computed by other engine versions.
 */
export async function storeRedline(
  tx: Transaction,
  key: DiffKey,
  redline: Redline,
  now = new Date(),
): Promise<void> {
  await tx
    .insert(storedDiffs)
    .values({
      ...key,
      engine: DIFF_ENGINE_VERSION,
      summary: redline.summary,
      blocks: redline.blocks,
      html: redline.html,
      changesHtml: redline.changesHtml,
      createdAt: now.toISOString(),
    })
    .onConflictDoNothing();
  await tx
    .delete(storedDiffs)
    .where(
      and(
        eq(storedDiffs.fromHash, key.fromHash),
        eq(storedDiffs.toHash, key.toHash),
        ne(storedDiffs.engine, DIFF_ENGINE_VERSION),
      ),
    );
}

/** Who waits for a comparison, for the diff histogram: a public reader or the legal team. */
type View = "public" | "workspace";

/**
 * Computes the redline to store between two contents, in the diff pool. Content as stored (JSON
 * text) is parsed there, not on this event loop.
 */
export function computeStoredRedline(
  older: PolicyContent | string,
  newer: PolicyContent | string,
  view: View,
): Promise<Redline> {
  return timeDiff(view, () => runRedline({ older, newer, options: STORED_DIFF_OPTIONS }));
}

/** Comparisons being computed, so that a crowd asking for the same cold pair costs one. */
const computing = new Map<string, Promise<Redline>>();

/**
 * The redline between two published versions: from the store, or computed in the pool and stored
 * for everyone after. Throws "not published" for any other version; may refuse as "unavailable"
 * when the pool's queue is full.
 */
export async function publishedRedline(
  from: { id: number; contentHash: string },
  to: { id: number; contentHash: string },
  view: View,
): Promise<Redline> {
  const key: DiffKey = { fromHash: from.contentHash, toHash: to.contentHash };
  const stored = await findStoredRedline(key);
  if (stored) return stored;
  const name = `${key.fromHash}:${key.toHash}`;
  let pending = computing.get(name);
  if (!pending) {
    pending = computeAndStore(key, from.id, to.id, view).finally(() => computing.delete(name));
    computing.set(name, pending);
  }
  return pending;
}

async function computeAndStore(key: DiffKey, fromId: number, toId: number, view: View): Promise<Redline> {
  // The content as its JSON text: the worker parses it, off this event loop.
  const rows = await reader()
    .select({ id: versions.id, content: sql<string>`${versions.content}`, contentHash: versions.contentHash })
    .from(versions)
    .where(and(inArray(versions.id, [fromId, toId]), isPublishedVersion));
  const content = (id: number, hash: string): string => {
    const row = rows.find((r) => r.id === id);
    if (row?.contentHash !== hash) throw new Error(`version ${id} is not published with content ${hash}`);
    return row.content;
  };
  const redline = await computeStoredRedline(content(fromId, key.fromHash), content(toId, key.toHash), view);
  await transaction(async (tx) => storeRedline(tx, key, redline));
  return redline;
}
