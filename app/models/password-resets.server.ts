import { createHash, randomBytes } from "node:crypto";
import { hash } from "@node-rs/argon2";
import { and, eq, gt, isNull } from "drizzle-orm";
import { affected, first } from "../../db/dialect";
import { passwordResets, sessions, users } from "../../db/tables";
import { Refusal } from "../core/refusal";
import { checkNewPassword } from "./accounts.server";
import { recordAudit } from "./audit.server";
import { type Actor, reader, type Transaction, transaction } from "./db.server";

/** How long a password-reset link works. */
export const PASSWORD_RESET_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** The path of the page a reset link opens; the token is the last segment. */
export const PASSWORD_RESET_PATH = "/admin/password-reset";

/** Every way a link can fail says the same thing, so a link reveals nothing but whether it works. */
export const INVALID_RESET_LINK =
  "This password-reset link does not work: it was already used, it expired, or a newer link replaced it. Ask an admin for a new one.";

function hashResetToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Issues a one-time link for a person to set a new password: 256 random bits, of which only the
 * SHA-256 is stored, valid for a day, and replacing any earlier unused link of theirs. The token is
 * returned once, for the admin to hand over.
 */
export async function issuePasswordReset({
  userId,
  actor,
  now = new Date(),
}: {
  userId: number;
  actor: Actor;
  now?: Date;
}): Promise<{ token: string; email: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + PASSWORD_RESET_LIFETIME_MS);
  return transaction(async (tx) => {
    const user = await first(tx.select().from(users).where(eq(users.id, userId)));
    if (!user) throw new Refusal("not-found", "no such user");
    if (user.deactivatedAt)
      throw new Refusal("conflict", `${user.email} is deactivated; reactivate them first`);
    const replaced = affected(
      await tx
        .delete(passwordResets)
        .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt))),
    );
    await tx.insert(passwordResets).values({
      userId,
      tokenHash: hashResetToken(token),
      createdById: actor.kind === "user" ? actor.id : null,
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
    });
    await recordAudit(tx, {
      actor,
      action: "user.password-reset-issued",
      details: { userId, email: user.email, expiresAt: expiresAt.toISOString(), replacedLinks: replaced },
    });
    return { token, email: user.email, expiresAt };
  });
}

/** The unused, unexpired link for `token`, of a person still active (read on `db`: the reader or a transaction). */
async function liveResetLink(db: Pick<Transaction, "select">, token: string, now: Date) {
  return await first(
    db
      .select({ id: passwordResets.id, userId: users.id, email: users.email })
      .from(passwordResets)
      .innerJoin(users, and(eq(users.id, passwordResets.userId), isNull(users.deactivatedAt)))
      .where(
        and(
          eq(passwordResets.tokenHash, hashResetToken(token)),
          isNull(passwordResets.usedAt),
          gt(passwordResets.expiresAt, now.toISOString()),
        ),
      ),
  );
}

/** The person a working link is for, or null (unknown, used, expired, replaced, deactivated). */
export async function findPasswordReset(
  token: string,
  now = new Date(),
): Promise<{ userId: number; email: string } | null> {
  if (!token || token.length > 100) return null;
  const link = await liveResetLink(reader(), token, now);
  return link ? { userId: link.userId, email: link.email } : null;
}

/**
 * Sets a new password through a link and uses the link up, in one transaction that checks the link
 * again (so two submissions cannot both succeed); every session of the person ends.
 */
export async function completePasswordReset({
  token,
  newPassword,
  now = new Date(),
}: {
  token: string;
  newPassword: string;
  now?: Date;
}): Promise<{ userId: number; email: string; sessionsEnded: number }> {
  checkNewPassword(newPassword);
  if (!(await findPasswordReset(token, now))) throw new Refusal("not-found", INVALID_RESET_LINK);
  const passwordHash = await hash(newPassword);
  return transaction(async (tx) => {
    const link = await liveResetLink(tx, token, now);
    if (!link) throw new Refusal("not-found", INVALID_RESET_LINK);
    await tx.update(passwordResets).set({ usedAt: now.toISOString() }).where(eq(passwordResets.id, link.id));
    await tx.update(users).set({ passwordHash }).where(eq(users.id, link.userId));
    const sessionsEnded = affected(await tx.delete(sessions).where(eq(sessions.userId, link.userId)));
    await recordAudit(tx, {
      actor: { kind: "user", id: link.userId },
      action: "user.password-reset",
      details: { userId: link.userId, email: link.email, sessionsEnded },
    });
    return { userId: link.userId, email: link.email, sessionsEnded };
  });
}
