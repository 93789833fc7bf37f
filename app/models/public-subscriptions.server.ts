/**
 * Public subscriptions (issue 16, item 7; ADR 0029): people without an account who confirmed that
 * they want an email when a public policy changes. Stored: the address and the choice, nothing
 * else; a row exists only once confirmed (the confirmation link carries the request), and ends by
 * deletion — through the unsubscribe link, or erasure by an operator.
 *
 * Their update emails are notices of their own (notices.audience_kind = 'public') whose outbox rows
 * live in `public_deliveries`: the same batches, dispatcher, rate and idempotency keys as product
 * notices, and nothing that counts the product's subscribers or their acknowledgements sees them.
 */
import { eq, sql } from "drizzle-orm";
import type { Transaction } from "../../db/client";
import { execute, first, row, rows } from "../../db/dialect";
import { type Notice, notices } from "../../db/tables";
import { BATCH_SIZE, batchCount } from "../core/notify/batching";
import {
  normalisePublicEmail,
  PUBLIC_SUBSCRIPTION_SCOPES,
  type PublicSubscriptionScope,
  scopeCovers,
} from "../core/notify/public-subscription";
import { recordAudit } from "./audit.server";
import { type Actor, actorLabel, reader, transaction } from "./db.server";

/** The document a subscription form or link names, when it has a published version to follow. */
export type FollowedDocument = { documentId: number; slug: string; locale: string; title: string };

export async function followedDocument(documentId: number): Promise<FollowedDocument | undefined> {
  return await row<FollowedDocument>(
    reader(),
    sql`SELECT d.id AS "documentId", d.slug, d.locale, d.title FROM documents d
      WHERE d.id = ${documentId}
        AND EXISTS (SELECT 1 FROM versions v WHERE v.document_id = d.id AND v.published_at IS NOT NULL)`,
  );
}

/**
 * Records a confirmed subscription, or updates the choice of one that exists (confirming again is
 * how a subscriber changes it). Null when the document has nothing published any more.
 */
export async function confirmPublicSubscription({
  email,
  documentId,
  scope,
}: {
  email: string;
  documentId: number;
  scope: PublicSubscriptionScope;
}): Promise<{ subscriptionId: number; created: boolean } | null> {
  if (!(await followedDocument(documentId))) return null;
  const address = normalisePublicEmail(email);
  return transaction(async (tx) => {
    const before = await row<{ id: number }>(
      tx,
      sql`SELECT id FROM public_subscriptions WHERE document_id = ${documentId} AND email = ${address}`,
    );
    const at = new Date().toISOString();
    const saved = (await row<{ id: number }>(
      tx,
      sql`INSERT INTO public_subscriptions (document_id, email, scope, confirmed_at)
        VALUES (${documentId}, ${address}, ${scope}, ${at})
        ON CONFLICT (document_id, email) DO UPDATE SET scope = excluded.scope, confirmed_at = excluded.confirmed_at
        RETURNING id`,
    ))!;
    // The audit log can never be pseudonymised: it names the subscription, never the address.
    await recordAudit(tx, {
      actor: { kind: "system" },
      action: before ? "public-subscription.changed" : "public-subscription.confirmed",
      documentId,
      details: { subscriptionId: saved.id, scope, at },
    });
    return { subscriptionId: saved.id, created: !before };
  });
}

export type UnsubscribeTarget = FollowedDocument & { deliveryId: number; subscriptionId: number | null };

/** What an update email's unsubscribe link names: its delivery, document and (while it lasts) subscription. */
export async function unsubscribeTarget(deliveryId: number): Promise<UnsubscribeTarget | undefined> {
  return await row<UnsubscribeTarget>(
    reader(),
    sql`SELECT p.id AS "deliveryId", p.subscription_id AS "subscriptionId", d.id AS "documentId", d.slug,
        d.locale, d.title
      FROM public_deliveries p JOIN notices n ON n.id = p.notice_id JOIN documents d ON d.id = n.document_id
      WHERE p.id = ${deliveryId}`,
  );
}

/**
 * Ends the subscription an update email was sent to (its unsubscribe link, one click): the row is
 * deleted, and its emails still waiting in the outbox are skipped. True when it ended now; false
 * when it had ended before (a repeat, a second click).
 */
export async function unsubscribeByDelivery(deliveryId: number): Promise<boolean> {
  return transaction(async (tx) => {
    const target = await row<{ subscription_id: number | null; document_id: number }>(
      tx,
      sql`SELECT p.subscription_id, n.document_id FROM public_deliveries p JOIN notices n ON n.id = p.notice_id
        WHERE p.id = ${deliveryId}`,
    );
    if (!target || target.subscription_id === null) return false;
    const ended = await endSubscriptions(tx, sql`id = ${target.subscription_id}`);
    if (ended.length === 0) return false;
    await recordAudit(tx, {
      actor: { kind: "system" },
      action: "public-subscription.ended",
      documentId: target.document_id,
      details: { subscriptionId: target.subscription_id, via: "unsubscribe-link" },
    });
    return true;
  });
}

/**
 * Deletes subscriptions and skips their update emails not yet frozen into a batch (pending): the
 * foreign key then leaves their deliveries without a subscription. Emails already handed over keep
 * no address either — it is blanked when a batch is resolved.
 */
async function endSubscriptions(tx: Transaction, where: ReturnType<typeof sql>): Promise<{ id: number }[]> {
  const now = new Date().toISOString();
  const ended = await rows<{ id: number }>(tx, sql`SELECT id FROM public_subscriptions WHERE ${where}`);
  if (ended.length === 0) return [];
  const ids = sql.join(
    ended.map((e) => sql`${e.id}`),
    sql`, `,
  );
  await execute(
    tx,
    sql`UPDATE public_deliveries SET status = 'skipped', status_at = ${now},
        last_error = 'not sent: unsubscribed before the batch went out'
      WHERE subscription_id IN (${ids}) AND status = 'pending'`,
  );
  await execute(tx, sql`DELETE FROM public_subscriptions WHERE id IN (${ids})`);
  return ended;
}

/**
 * Erases everything stored about one address (an operator answering an erasure request): every
 * subscription of it, and any copy of it in an outbox row. Returns how many subscriptions ended;
 * the audit entry counts them and names no address.
 */
export async function erasePublicSubscriber({
  email,
  actor,
}: {
  email: string;
  actor: Actor;
}): Promise<{ subscriptions: number }> {
  const address = normalisePublicEmail(email);
  return transaction(async (tx) => {
    const ended = await endSubscriptions(tx, sql`email = ${address}`);
    await execute(
      tx,
      sql`UPDATE public_deliveries SET recipient_email = NULL WHERE recipient_email = ${address}`,
    );
    await recordAudit(tx, {
      actor,
      action: "public-subscription.erased",
      details: { subscriptions: ended.map((e) => e.id).sort((a, b) => a - b) },
    });
    return { subscriptions: ended.length };
  });
}

export type PublicSubscriptionCounts = {
  total: number;
  all: number;
  material: number;
  documents: { slug: string; locale: string; all: number; material: number }[];
};

/** How many public subscribers there are, per choice and document: counts, never addresses. */
export async function publicSubscriptionCounts(): Promise<PublicSubscriptionCounts> {
  const found = await rows<{ slug: string; locale: string; scope: PublicSubscriptionScope; n: number }>(
    reader(),
    sql`SELECT d.slug, d.locale, p.scope, CAST(count(*) AS integer) AS n
      FROM public_subscriptions p JOIN documents d ON d.id = p.document_id
      GROUP BY d.slug, d.locale, p.scope ORDER BY d.slug, d.locale`,
  );
  const counts: PublicSubscriptionCounts = { total: 0, all: 0, material: 0, documents: [] };
  for (const r of found) {
    const n = Number(r.n);
    counts.total += n;
    counts[r.scope] += n;
    let doc = counts.documents.find((d) => d.slug === r.slug && d.locale === r.locale);
    if (!doc) {
      doc = { slug: r.slug, locale: r.locale, all: 0, material: 0 };
      counts.documents.push(doc);
    }
    doc[r.scope] += n;
  }
  return counts;
}

/**
 * In the publication's transaction: a public notice for the version and one outbox row per
 * subscription the publication concerns ("all versions", and "material changes only" when it is
 * material), batched like product notices (INSERT … SELECT; batches of at most 100, fixed now).
 * Null when nobody is subscribed.
 */
export async function enqueuePublicUpdate(
  tx: Transaction,
  input: {
    documentId: number;
    versionId: number;
    previousNumber: number | null;
    material: boolean;
    actor: Actor;
  },
): Promise<{ notice: Notice; deliveries: number; batches: number } | null> {
  const covered = PUBLIC_SUBSCRIPTION_SCOPES.filter((scope) => scopeCovers(scope, input.material));
  const scopes = sql`(${sql.join(
    covered.map((scope) => sql`${scope}`),
    sql`, `,
  )})`;
  const counted = await row<{ n: number }>(
    tx,
    sql`SELECT CAST(count(*) AS integer) AS n FROM public_subscriptions
      WHERE document_id = ${input.documentId} AND scope IN ${scopes}`,
  );
  const wanted = Number(counted?.n ?? 0);
  if (wanted === 0) return null;
  const notice = (await first(
    tx
      .insert(notices)
      .values({
        documentId: input.documentId,
        versionId: input.versionId,
        previousNumber: input.previousNumber,
        channels: ["email"],
        audience: null,
        audienceKind: "public",
        requiresAck: false,
        createdBy: actorLabel(input.actor),
      })
      .returning(),
  ))!;
  const deliveries = await execute(
    tx,
    sql`
    INSERT INTO public_deliveries (notice_id, subscription_id, batch_number, status)
    SELECT ${notice.id}, id, (row_number() OVER (ORDER BY id) - 1) / ${sql.raw(String(BATCH_SIZE))} + 1, 'pending'
    FROM public_subscriptions WHERE document_id = ${input.documentId} AND scope IN ${scopes}
    ORDER BY id`,
  );
  const batches = batchCount(deliveries);
  await execute(
    tx,
    sql`
    WITH RECURSIVE n(x) AS (SELECT 1 WHERE ${batches} > 0
      UNION ALL SELECT x + 1 FROM n WHERE x < ${batches})
    INSERT INTO delivery_batches (notice_id, number) SELECT ${notice.id}, x FROM n`,
  );
  // The database's rule: a notice is created with no batches, then given the number it made.
  const stored = (await first(
    tx.update(notices).set({ batchCount: batches }).where(eq(notices.id, notice.id)).returning(),
  ))!;
  // The audit check compares emailDeliveries with the product's outbox (`deliveries`): zero here;
  // the public emails are counted under their own name.
  await recordAudit(tx, {
    actor: input.actor,
    action: "notice.created",
    documentId: input.documentId,
    versionId: input.versionId,
    details: {
      noticeId: notice.id,
      audienceKind: "public",
      channels: ["email"],
      audience: null,
      requiresAck: false,
      emailDeliveries: 0,
      dashboardDeliveries: 0,
      publicDeliveries: deliveries,
      batches,
    },
  });
  return { notice: stored, deliveries, batches };
}
