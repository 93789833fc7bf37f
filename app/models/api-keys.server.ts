import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import { first } from "../../db/dialect";
import { type ApiKey, apiKeys } from "../../db/tables";
import { Refusal } from "../core/refusal";
import { recordAudit } from "./audit.server";
import { type Actor, reader, transaction, write } from "./db.server";

const KEY_PREFIX = "rl_";

/** API key names: what a person types to revoke it. */
export const API_KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export type CreatedApiKey = { apiKey: Omit<ApiKey, "keyHash">; key: string };

/** Creates a key and returns it in clear this once; only its hash is stored. */
export async function createApiKey({ name, actor }: { name: string; actor: Actor }): Promise<CreatedApiKey> {
  const trimmed = name.trim();
  if (!API_KEY_NAME_PATTERN.test(trimmed)) {
    throw new Refusal(
      "invalid",
      "an API key name is 1–64 letters, digits, spaces, dots, dashes or underscores",
    );
  }
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return transaction(async (tx) => {
    const live = await first(
      tx
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(and(eq(apiKeys.name, trimmed), isNull(apiKeys.revokedAt))),
    );
    if (live) throw new Refusal("conflict", `an API key named "${trimmed}" already exists; revoke it first`);
    const { keyHash: _hash, ...apiKey } = (await first(
      tx
        .insert(apiKeys)
        .values({
          name: trimmed,
          prefix: key.slice(0, KEY_PREFIX.length + 6),
          keyHash: hashKey(key),
          createdById: actor.kind === "user" ? actor.id : null,
        })
        .returning(),
    ))!;
    await recordAudit(tx, {
      actor,
      action: "api-key.created",
      details: { apiKeyId: apiKey.id, name: apiKey.name },
    });
    return { apiKey, key };
  });
}

/** Revokes the live key with this name; requests with it fail from now on. */
export async function revokeApiKey({ name, actor }: { name: string; actor: Actor }): Promise<void> {
  await transaction(async (tx) => {
    const revoked = (await first(
      tx
        .update(apiKeys)
        .set({ revokedAt: new Date().toISOString() })
        .where(and(eq(apiKeys.name, name.trim()), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id }),
    ))!;
    if (!revoked) throw new Refusal("not-found", `no live API key named "${name.trim()}"`);
    await recordAudit(tx, {
      actor,
      action: "api-key.revoked",
      details: { apiKeyId: revoked.id, name: name.trim() },
    });
  });
}

export async function listApiKeys(): Promise<Omit<ApiKey, "keyHash">[]> {
  return await reader()
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdById: apiKeys.createdById,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .orderBy(desc(apiKeys.id));
}

/**
 * The live key matching a presented secret, or null. Looked up by hash (an index hit, no timing
 * signal about the key itself); `lastUsedAt` is refreshed at most once a minute.
 */
export async function authenticateApiKey(presented: string | null | undefined): Promise<ApiKey | null> {
  if (!presented?.startsWith(KEY_PREFIX) || presented.length > 200) return null;
  const digest = hashKey(presented);
  const found = await first(reader().select().from(apiKeys).where(eq(apiKeys.keyHash, digest)));
  if (!found || found.revokedAt) return null;
  if (!timingSafeEqual(Buffer.from(found.keyHash, "hex"), Buffer.from(digest, "hex"))) return null;
  const now = new Date();
  if (!found.lastUsedAt || now.getTime() - Date.parse(found.lastUsedAt) > 60_000) {
    await write((db) =>
      db.update(apiKeys).set({ lastUsedAt: now.toISOString() }).where(eq(apiKeys.id, found.id)),
    );
  }
  return found;
}
