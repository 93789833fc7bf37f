import { hash, verify } from "@node-rs/argon2";
import { and, asc, count, eq, ne } from "drizzle-orm";
import { type Role, sessions, type User, users } from "../../db/schema";
import { recordAudit } from "./audit.server";
import { type Actor, db } from "./db.server";
import { MIN_PASSWORD_LENGTH, normaliseEmail, UserError } from "./users.server";

export type PublicUser = Omit<User, "passwordHash">;

// Verified when the email is unknown, so that a wrong email takes as long as a wrong password.
let decoyHash: Promise<string> | undefined;

/** The user whose email and password these are, or null. Never says which of the two was wrong. */
export async function verifyCredentials({
  email,
  password,
}: {
  email: string;
  password: string;
}): Promise<PublicUser | null> {
  const user = db()
    .select()
    .from(users)
    .where(eq(users.email, normaliseEmail(email)))
    .get();
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
  return db()
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      createdAt: users.createdAt,
    })
    .from(users)
    .orderBy(asc(users.email))
    .all();
}

/** Emails of users by id, for showing who did what. */
export async function userEmails(): Promise<Map<number, string>> {
  const rows = db().select({ id: users.id, email: users.email }).from(users).all();
  return new Map(rows.map((r) => [r.id, r.email]));
}

/** Changes a user's role; the last admin cannot stop being one. */
export async function changeRole({ userId, role, actor }: { userId: number; role: Role; actor: Actor }) {
  db().transaction(
    (tx) => {
      const user = tx.select().from(users).where(eq(users.id, userId)).get();
      if (!user) throw new UserError("no such user");
      if (user.role === role) return;
      if (user.role === "admin") {
        const admins = tx.select({ n: count() }).from(users).where(eq(users.role, "admin")).get()?.n ?? 0;
        if (admins <= 1) throw new UserError("the last admin cannot lose the admin role");
      }
      tx.update(users).set({ role }).where(eq(users.id, userId)).run();
      recordAudit(tx, {
        actor,
        action: "user.role-changed",
        details: { userId, email: user.email, from: user.role, to: role },
      });
    },
    { behavior: "immediate" },
  );
}

/**
 * Changes a user's own password after checking the current one, and signs them out everywhere
 * else (every other session is deleted).
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
  const user = db().select().from(users).where(eq(users.id, userId)).get();
  if (!user) throw new UserError("no such user");
  if (!(await verify(user.passwordHash, currentPassword).catch(() => false))) {
    throw new UserError("the current password is wrong");
  }
  if (newPassword.length < MIN_PASSWORD_LENGTH) {
    throw new UserError(`the new password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (newPassword === currentPassword) throw new UserError("the new password is the same as the current one");
  const passwordHash = await hash(newPassword);
  return db().transaction(
    (tx) => {
      tx.update(users).set({ passwordHash }).where(eq(users.id, userId)).run();
      const ended = tx
        .delete(sessions)
        .where(
          keepSessionId === undefined
            ? eq(sessions.userId, userId)
            : and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)),
        )
        .run();
      recordAudit(tx, {
        actor: { kind: "user", id: userId },
        action: "user.password-changed",
        details: { userId, otherSessionsEnded: ended.changes },
      });
      return { otherSessionsEnded: ended.changes };
    },
    { behavior: "immediate" },
  );
}
