/**
 * The dashboard banner's configuration: the embed secret that signs user tokens, and the origins
 * of the product's pages that may call the browser API. See ADR 0007.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { asc, desc, eq, gt, isNull, or, sql } from "drizzle-orm";
import { affected, first, row } from "../../db/dialect";
import { embedOrigins, embedSecrets } from "../../db/tables";
import { MAX_TOKEN_LIFETIME_SECONDS, type TokenCheck, verifyUserToken } from "../core/notify/user-token";
import { Refusal } from "../core/refusal";
import { getEnv, sessionSecret } from "../env.server";
import { recordAudit } from "./audit.server";
import { type Actor, reader, transaction } from "./db.server";

const SECRET_PREFIX = "rls_";

/** The AES-256-GCM key for stored embed secrets, derived from SESSION_SECRET (never stored). */
function encryptionKey(): Buffer {
  return Buffer.from(
    hkdfSync("sha256", sessionSecret(getEnv()), "redline", "embed-secret-encryption-v1", 32),
  );
}

function encryptSecret(secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", encryptionKey(), iv);
  const body = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
}

/** The secret in clear, or null when it cannot be decrypted (SESSION_SECRET changed: rotate). */
function decryptSecret(stored: string): string | null {
  try {
    const raw = Buffer.from(stored, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", encryptionKey(), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    return null;
  }
}

export type EmbedSecretInfo = { id: number; prefix: string; createdAt: string; retiredAt: string | null };

/**
 * Creates a new embed secret and retires the live one, which keeps verifying tokens for one token
 * lifetime so that tokens minted just before the rotation still work. Returns the secret in clear
 * this once.
 */
export async function rotateEmbedSecret({
  actor,
}: {
  actor: Actor;
}): Promise<{ secret: string; id: number }> {
  const secret = `${SECRET_PREFIX}${randomBytes(32).toString("base64url")}`;
  return transaction(async (tx) => {
    const now = new Date().toISOString();
    const retired = await tx
      .update(embedSecrets)
      .set({ retiredAt: now })
      .where(isNull(embedSecrets.retiredAt))
      .returning({ id: embedSecrets.id });
    const created = (await first(
      tx
        .insert(embedSecrets)
        .values({
          encryptedSecret: encryptSecret(secret),
          prefix: secret.slice(0, SECRET_PREFIX.length + 6),
          createdById: actor.kind === "user" ? actor.id : null,
        })
        .returning({ id: embedSecrets.id, prefix: embedSecrets.prefix }),
    ))!;
    await recordAudit(tx, {
      actor,
      action: retired.length > 0 ? "embed-secret.rotated" : "embed-secret.created",
      details: { embedSecretId: created.id, prefix: created.prefix, retired: retired.map((r) => r.id) },
    });
    return { secret, id: created.id };
  });
}

export async function listEmbedSecrets(): Promise<EmbedSecretInfo[]> {
  return await reader()
    .select({
      id: embedSecrets.id,
      prefix: embedSecrets.prefix,
      createdAt: embedSecrets.createdAt,
      retiredAt: embedSecrets.retiredAt,
    })
    .from(embedSecrets)
    .orderBy(desc(embedSecrets.id))
    .limit(20);
}

/** The secrets a token may be signed with now: the live one and any retired within a token lifetime. */
async function acceptedSecrets(now = Date.now()): Promise<string[]> {
  const since = new Date(now - MAX_TOKEN_LIFETIME_SECONDS * 1000).toISOString();
  return (
    await reader()
      .select({ encryptedSecret: embedSecrets.encryptedSecret })
      .from(embedSecrets)
      .where(or(isNull(embedSecrets.retiredAt), gt(embedSecrets.retiredAt, since)))
      .orderBy(desc(embedSecrets.id))
  )
    .map((row) => decryptSecret(row.encryptedSecret))
    .filter((secret): secret is string => secret !== null);
}

/** Verifies a user token against the accepted secrets; no secret configured means no token is valid. */
export async function checkUserToken(token: string, now = Date.now()): Promise<TokenCheck> {
  const secrets = await acceptedSecrets(now);
  if (secrets.length === 0) return { ok: false, reason: "bad-signature" };
  return verifyUserToken(token, secrets, now);
}

/** "https://app.example.com" from what a person typed; throws a Refusal for anything that is not an origin. */
function normaliseOrigin(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new Refusal("invalid", `"${input}" is not an origin such as https://app.example.com`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Refusal("invalid", "an origin starts with https:// (or http:// for local development)");
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || url.username) {
    throw new Refusal("invalid", `"${input}" is not an origin: leave out the path, e.g. ${url.origin}`);
  }
  return url.origin;
}

export async function addEmbedOrigin({ origin, actor }: { origin: string; actor: Actor }): Promise<string> {
  const normalised = normaliseOrigin(origin);
  await transaction(async (tx) => {
    const inserted = affected(
      await tx
        .insert(embedOrigins)
        .values({ origin: normalised, createdById: actor.kind === "user" ? actor.id : null })
        .onConflictDoNothing(),
    );
    if (inserted > 0)
      await recordAudit(tx, { actor, action: "embed-origin.added", details: { origin: normalised } });
  });
  return normalised;
}

export async function removeEmbedOrigin({ origin, actor }: { origin: string; actor: Actor }): Promise<void> {
  await transaction(async (tx) => {
    const removed = affected(await tx.delete(embedOrigins).where(eq(embedOrigins.origin, origin)));
    if (removed === 0) throw new Refusal("not-found", `"${origin}" is not an allowed origin`);
    await recordAudit(tx, { actor, action: "embed-origin.removed", details: { origin } });
  });
}

export async function listEmbedOrigins(): Promise<string[]> {
  return (
    await reader()
      .select({ origin: embedOrigins.origin })
      .from(embedOrigins)
      .orderBy(asc(embedOrigins.origin))
  ).map((r) => r.origin);
}

/** Whether a browser page at `origin` may call the browser API. */
export async function isAllowedOrigin(origin: string | null): Promise<boolean> {
  if (!origin) return false;
  return !!(await row(reader(), sql`SELECT 1 AS one FROM embed_origins WHERE origin = ${origin}`));
}
