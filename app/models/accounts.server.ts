import { hash, verify } from "@node-rs/argon2";
import { and, asc, count, eq, isNull, ne } from "drizzle-orm";
import type { Transaction } from "../../db/client";
import { affected, first } from "../../db/dialect";
import { passwordResets, type Role, sessions, type User, users } from "../../db/tables";
import { Refusal } from "../core/refusal";
import { recordAudit } from "./audit.server";
import { type Actor, reader, transaction } from "./db.server";
import { MIN_PASSWORD_LENGTH, normaliseEmail } from "./users.server";

export type PublicUser = Omit<User, "passwordHash">;

/**
 * The current password given to a check was wrong: the only refusal that counts as a guess, so the
 * one a caller must tell apart from the others (hence a class of its own; every other refusal is a
 * plain Refusal).
 */
export class WrongPasswordError extends Refusal {
  override name = "WrongPasswordError";
  constructor(message: string) {
    super("invalid", message);
  }
}

// Verified when the email is unknown, so that a wrong email takes as long as a wrong password.
let decoyHash: Promise<string> | undefined;

/**
 * The user whose email and password these are, or null. Never says which of the two was wrong. A
 * deactivated user is returned too (with `deactivatedAt`): only someone who knows the password
 * learns that the account was deactivated.
 */
export async function verifyCredentials({
  email,
  password,
}: {
  email: string;
  password: string;
}): Promise<PublicUser | null> {
  const user = await first(
    reader()
      .select()
      .from(users)
      .where(eq(users.email, normaliseEmail(email))),
  );
  if (!user) {
    decoyHash ??= hash("decoy password that matches nothing");
    await verify(await decoyHash, password).catch(() => false);
    return null;
  }
  const ok = await verify(user.passwordHash, password).catch(() => false);
  if (!ok) return null;
  const { passwordHash: _hash, ...rest } = user;
  return rest;
}

export async function listUsers(): Promise<PublicUser[]> {
  return await reader()
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      createdAt: users.createdAt,
      deactivatedAt: users.deactivatedAt,
      oidcIssuer: users.oidcIssuer,
      oidcSubject: users.oidcSubject,
      breakGlass: users.breakGlass,
    })
    .from(users)
    .orderBy(asc(users.email));
}

/** Emails of users by id, for showing who did what. */
export async function userEmails(): Promise<Map<number, string>> {
  const rows = await reader().select({ id: users.id, email: users.email }).from(users);
  return new Map(rows.map((r) => [r.id, r.email]));
}

/** Active admins (deactivated ones manage nothing). */
async function activeAdmins(tx: Transaction): Promise<number> {
  return (
    (
      await first(
        tx
          .select({ n: count() })
          .from(users)
          .where(and(eq(users.role, "admin"), isNull(users.deactivatedAt))),
      )
    )?.n ?? 0
  );
}

/** Changes a user's role; the last active admin cannot stop being one. */
export async function changeRole({ userId, role, actor }: { userId: number; role: Role; actor: Actor }) {
  await transaction(async (tx) => {
    const user = await first(tx.select().from(users).where(eq(users.id, userId)));
    if (!user) throw new Refusal("not-found", "no such user");
    if (user.role === role) return;
    if (user.role === "admin" && !user.deactivatedAt && (await activeAdmins(tx)) <= 1) {
      throw new Refusal("conflict", "the last admin cannot lose the admin role");
    }
    await tx.update(users).set({ role }).where(eq(users.id, userId));
    await recordAudit(tx, {
      actor,
      action: "user.role-changed",
      details: { userId, email: user.email, from: user.role, to: role },
    });
  });
}

/**
 * Deactivates a person who left: their sessions end and their unused password-reset links die in
 * the same transaction, and sign-in is refused from then on. The row stays, so every version,
 * review and audit entry they made stays attributed to them. The last active admin cannot be
 * deactivated, and nobody deactivates themselves.
 */
export async function deactivateUser({
  userId,
  actor,
  now = new Date(),
}: {
  userId: number;
  actor: Actor;
  now?: Date;
}): Promise<{ email: string; sessionsEnded: number }> {
  if (actor.kind === "user" && actor.id === userId) {
    throw new Refusal("invalid", "you cannot deactivate your own account; ask another admin");
  }
  return transaction(async (tx) => {
    const user = await first(tx.select().from(users).where(eq(users.id, userId)));
    if (!user) throw new Refusal("not-found", "no such user");
    if (user.deactivatedAt) throw new Refusal("conflict", `${user.email} is already deactivated`);
    if (user.role === "admin" && (await activeAdmins(tx)) <= 1) {
      throw new Refusal("conflict", "the last active admin cannot be deactivated");
    }
    await tx.update(users).set({ deactivatedAt: now.toISOString() }).where(eq(users.id, userId));
    const sessionsEnded = affected(await tx.delete(sessions).where(eq(sessions.userId, userId)));
    const linksRevoked = affected(
      await tx
        .delete(passwordResets)
        .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt))),
    );
    await recordAudit(tx, {
      actor,
      action: "user.deactivated",
      details: { userId, email: user.email, sessionsEnded, resetLinksRevoked: linksRevoked },
    });
    return { email: user.email, sessionsEnded };
  });
}

/** Lets a deactivated person sign in again (with their old password, or a reset link). */
export async function reactivateUser({
  userId,
  actor,
}: {
  userId: number;
  actor: Actor;
}): Promise<{ email: string }> {
  return transaction(async (tx) => {
    const user = await first(tx.select().from(users).where(eq(users.id, userId)));
    if (!user) throw new Refusal("not-found", "no such user");
    if (!user.deactivatedAt) throw new Refusal("conflict", `${user.email} is active`);
    await tx.update(users).set({ deactivatedAt: null }).where(eq(users.id, userId));
    await recordAudit(tx, { actor, action: "user.reactivated", details: { userId, email: user.email } });
    return { email: user.email };
  });
}

/** The user with this email (any state), for the command line. */
export async function findUserByEmail(email: string): Promise<PublicUser | null> {
  const user = await first(
    reader()
      .select()
      .from(users)
      .where(eq(users.email, normaliseEmail(email))),
  );
  if (!user) return null;
  const { passwordHash: _hash, ...rest } = user;
  return rest;
}

/** Refuses a new password that is too short, before any password is checked. */
export function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new Refusal("invalid", `the new password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

/**
 * Changes a user's own password after checking the current one, and signs them out everywhere
 * else (every other session is deleted). A wrong current password throws `WrongPasswordError`;
 * the rules for the new one are checked first, so no check of the current one is wasted.
 */
export async function changeOwnPassword({
  userId,
  currentPassword,
  newPassword,
  keepSessionId,
}: {
  userId: number;
  currentPassword: string;
  newPassword: string;
  keepSessionId?: number;
}): Promise<{ otherSessionsEnded: number }> {
  checkNewPassword(newPassword);
  const user = await first(reader().select().from(users).where(eq(users.id, userId)));
  if (!user) throw new Refusal("not-found", "no such user");
  if (!(await verify(user.passwordHash, currentPassword).catch(() => false))) {
    throw new WrongPasswordError("the current password is wrong");
  }
  if (newPassword === currentPassword)
    throw new Refusal("invalid", "the new password is the same as the current one");
  const passwordHash = await hash(newPassword);
  return transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
    const ended = await tx
      .delete(sessions)
      .where(
        keepSessionId === undefined
          ? eq(sessions.userId, userId)
          : and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)),
      );
    await recordAudit(tx, {
      actor: { kind: "user", id: userId },
      action: "user.password-changed",
      details: { userId, otherSessionsEnded: ended.changes },
    });
    return { otherSessionsEnded: ended.changes };
  });
}
