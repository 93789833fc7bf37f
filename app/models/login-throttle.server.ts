import { eq, inArray, lt } from "drizzle-orm";
import { loginThrottles } from "../../db/schema";
import { db } from "./db.server";

/** Failed sign-ins are counted in windows of this length … */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
/** … and a key is locked for this long once it reaches its limit. */
export const THROTTLE_LOCK_MS = 15 * 60 * 1000;
/** Failures allowed per account in a window (someone guessing one person's password). */
export const ACCOUNT_FAILURE_LIMIT = 5;
/** Failures allowed per address in a window (someone trying many accounts). */
export const ADDRESS_FAILURE_LIMIT = 30;

export type ThrottleKey = { key: string; limit: number };

/** The time until which sign-in is refused for any of these keys, or null when it is allowed. */
export async function lockedUntil(keys: ThrottleKey[], now = new Date()): Promise<Date | null> {
  if (keys.length === 0) return null;
  const rows = db()
    .select()
    .from(loginThrottles)
    .where(
      inArray(
        loginThrottles.key,
        keys.map((k) => k.key),
      ),
    )
    .all();
  let until: Date | null = null;
  for (const row of rows) {
    if (row.lockedUntil && Date.parse(row.lockedUntil) > now.getTime()) {
      const date = new Date(row.lockedUntil);
      if (!until || date > until) until = date;
    }
  }
  return until;
}

/** Counts a failed sign-in against every key; a key that reaches its limit is locked. */
export async function recordFailedSignIn(keys: ThrottleKey[], now = new Date()): Promise<void> {
  const database = db();
  database.transaction(
    (tx) => {
      // Rows whose window and lock are over carry no information any more.
      const stale = new Date(now.getTime() - (THROTTLE_WINDOW_MS + THROTTLE_LOCK_MS)).toISOString();
      tx.delete(loginThrottles).where(lt(loginThrottles.windowStartedAt, stale)).run();
      for (const { key, limit } of keys) {
        const row = tx.select().from(loginThrottles).where(eq(loginThrottles.key, key)).get();
        const windowOpen = row && now.getTime() - Date.parse(row.windowStartedAt) < THROTTLE_WINDOW_MS;
        const failures = windowOpen ? row.failures + 1 : 1;
        const lock = failures >= limit ? new Date(now.getTime() + THROTTLE_LOCK_MS).toISOString() : null;
        const values = {
          failures,
          windowStartedAt: windowOpen ? row.windowStartedAt : now.toISOString(),
          lockedUntil: lock ?? (windowOpen ? row.lockedUntil : null),
        };
        if (row) tx.update(loginThrottles).set(values).where(eq(loginThrottles.key, key)).run();
        else
          tx.insert(loginThrottles)
            .values({ key, ...values })
            .run();
      }
    },
    { behavior: "immediate" },
  );
}

/** Forgets an account's failures after it signs in successfully. */
export async function clearFailedSignIns(key: string): Promise<void> {
  db().delete(loginThrottles).where(eq(loginThrottles.key, key)).run();
}
