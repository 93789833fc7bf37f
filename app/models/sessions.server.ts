import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull, lt, or } from "drizzle-orm";
import { first } from "../../db/dialect";
import { type Role, sessions, users } from "../../db/tables";
import type { SignInMethod } from "../core/sso";
import { reader, transaction, write } from "./db.server";

/** A session ends after this long without a request … */
const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
/** … and after this long in any case. */
export const SESSION_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
const TOUCH_INTERVAL_MS = 60 * 1000;

/** The SHA-256 of a session token, which is all the database keeps. */
function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export type SessionUser = {
  sessionId: number;
  tokenHash: string;
  /** How this session began (sign-out offers the provider's end-session page after `sso`). */
  signInMethod: SignInMethod;
  user: { id: number; email: string; name: string | null; role: Role };
};

/** Starts a session and returns its token (256 random bits) for the cookie. */
export async function createSession({
  userId,
  signInMethod = "password",
  now = new Date(),
}: {
  userId: number;
  signInMethod?: SignInMethod;
  now?: Date;
}) {
  const token = randomBytes(32).toString("base64url");
  await transaction(async (tx) => {
    // Opportunistic clean-up keeps the table small without a scheduled job.
    await tx
      .delete(sessions)
      .where(
        or(
          lt(sessions.expiresAt, now.toISOString()),
          lt(sessions.lastSeenAt, new Date(now.getTime() - SESSION_IDLE_MS).toISOString()),
        ),
      );
    await tx.insert(sessions).values({
      tokenHash: hashSessionToken(token),
      userId,
      signInMethod,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_MS).toISOString(),
    });
  });
  return { token, expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_MS) };
}

/**
 * The live session a token belongs to, with its user; null when unknown, expired, idle too long or
 * its user deactivated.
 */
export async function findSession(token: string, now = new Date()): Promise<SessionUser | null> {
  if (!token || token.length > 100) return null;
  const tokenHash = hashSessionToken(token);
  const row = await first(
    reader()
      .select({
        id: sessions.id,
        lastSeenAt: sessions.lastSeenAt,
        expiresAt: sessions.expiresAt,
        signInMethod: sessions.signInMethod,
        user: { id: users.id, email: users.email, name: users.name, role: users.role },
      })
      .from(sessions)
      // A deactivated person's sessions are deleted when they leave; the join makes sure of it.
      .innerJoin(users, and(eq(users.id, sessions.userId), isNull(users.deactivatedAt)))
      .where(eq(sessions.tokenHash, tokenHash)),
  );
  if (!row) return null;
  const idleSince = now.getTime() - Date.parse(row.lastSeenAt);
  if (Date.parse(row.expiresAt) <= now.getTime() || idleSince > SESSION_IDLE_MS) {
    await write((db) => db.delete(sessions).where(eq(sessions.id, row.id)));
    return null;
  }
  if (idleSince > TOUCH_INTERVAL_MS) {
    await write((db) =>
      db.update(sessions).set({ lastSeenAt: now.toISOString() }).where(eq(sessions.id, row.id)),
    );
  }
  return { sessionId: row.id, tokenHash, signInMethod: row.signInMethod, user: row.user };
}

/** Signs one browser out. */
export async function deleteSession(token: string): Promise<void> {
  await write((db) => db.delete(sessions).where(eq(sessions.tokenHash, hashSessionToken(token))));
}

export async function countUserSessions(userId: number): Promise<number> {
  return reader().$count(sessions, eq(sessions.userId, userId));
}
