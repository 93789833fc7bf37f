import { createHmac } from "node:crypto";
import { and, eq, inArray, isNotNull, isNull, lt, or } from "drizzle-orm";
import { affected, first } from "../../db/dialect";
import { signInThrottles, users } from "../../db/tables";
import { Refusal } from "../core/refusal";
import {
  refundAttempt,
  reserveAttempt as reserveOne,
  retryAfterSeconds,
  type ThrottleRule,
  type ThrottleState,
} from "../core/throttle";
import { getEnv, sessionSecret } from "../env.server";
import { recordAudit } from "./audit.server";
import { type Actor, reader, transaction } from "./db.server";
import { normaliseEmail } from "./users.server";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const slowDown = (free: number): ThrottleRule => ({
  free,
  baseDelayMs: 30 * SECOND,
  maxDelayMs: 15 * MINUTE,
  forgetAfterMs: DAY,
});

/**
 * The limits of ADR 10. Every one waits 30 s after its free failures, doubling to 15 minutes;
 * none is a lock-out, and a key is forgotten a day after its last failure.
 */
export const THROTTLE_RULES = {
  /** One account from one address: someone at one place guessing one password. */
  pair: slowDown(5),
  /** One account from a browser that signed in to it before: its own budget, unaffected by attacks. */
  device: slowDown(5),
  /** One account from every address without a trusted browser together: a guesser with many addresses. */
  account: slowDown(10),
  /** One address across every account: one source trying many accounts. */
  address: slowDown(30),
  /** The current-password check on /admin/account, per account. */
  passwordCheck: slowDown(5),
  /**
   * Public subscription requests (issue 16, item 7) from one client address: every request counts,
   * none is refunded. Ten an hour, then a minute's wait doubling to an hour.
   */
  subscribeSource: { free: 10, baseDelayMs: MINUTE, maxDelayMs: 60 * MINUTE, forgetAfterMs: 60 * MINUTE },
  /**
   * Confirmation emails to one address, whoever asks: three a day, then 15 minutes doubling to a
   * day — nobody can make Redline mail-bomb an inbox.
   */
  subscribeEmail: { free: 3, baseDelayMs: 15 * MINUTE, maxDelayMs: DAY, forgetAfterMs: DAY },
} as const satisfies Record<string, ThrottleRule>;

type Kind = keyof typeof THROTTLE_RULES;

/** One counter an attempt is charged to. */
type ChargedKey = { key: string; account: string | null; kind: Kind };

/** An attempt that passed the throttle; settle it once the password has been checked. */
export type ReservedAttempt = { keys: ChargedKey[] };

export type ThrottleDecision =
  | { allowed: true; attempt: ReservedAttempt }
  | { allowed: false; retryAt: Date; retryAfterSeconds: number };

/** A keyed hash: stable for the same input, irreversible without the session secret. */
function keyed(purpose: string, value: string): string {
  return createHmac("sha256", sessionSecret(getEnv())).update(`${purpose}:${value}`).digest("base64url");
}

/** The account a sign-in names, as a keyed hash of its normalised email (also for unknown emails). */
export function accountKey(email: string): string {
  return keyed("sign-in-account", normaliseEmail(email));
}

/**
 * The counters a sign-in attempt is charged to. From a browser that signed in to this account
 * before (`trustedDevice`), only that browser's own counter; otherwise the account-and-address
 * pair, the account across all such sources, and the address across all accounts.
 */
export function signInKeys({
  email,
  address,
  trustedDevice,
}: {
  email: string;
  address: string;
  trustedDevice?: string | null;
}): ChargedKey[] {
  const account = accountKey(email);
  if (trustedDevice) {
    return [
      { kind: "device", account, key: `device:${keyed("sign-in-device", `${account}\n${trustedDevice}`)}` },
    ];
  }
  return [
    { kind: "pair", account, key: `pair:${keyed("sign-in-pair", `${account}\n${address}`)}` },
    { kind: "account", account, key: `account:${account}` },
    { kind: "address", account: null, key: `address:${keyed("sign-in-address", address)}` },
  ];
}

/** The counter of a signed-in person's current-password check. */
export function passwordCheckKeys(email: string): ChargedKey[] {
  const account = accountKey(email);
  return [{ kind: "passwordCheck", account, key: `password-check:${account}` }];
}

/**
 * The counters of a public subscription request: the client address and the (keyed hash of the)
 * email address, so the throttle table never holds the address itself.
 */
export function publicSubscribeKeys({ email, address }: { email: string; address: string }): ChargedKey[] {
  return [
    { kind: "subscribeSource", account: null, key: `subscribe-source:${keyed("subscribe-source", address)}` },
    { kind: "subscribeEmail", account: null, key: `subscribe-email:${keyed("subscribe-email", email)}` },
  ];
}

type Row = typeof signInThrottles.$inferSelect;

function toState(row: Row | undefined): ThrottleState | null {
  if (!row) return null;
  return {
    failures: row.failures,
    lastFailureAt: Date.parse(row.lastFailureAt),
    blockedUntil: row.blockedUntil ? Date.parse(row.blockedUntil) : null,
  };
}

function toValues(state: ThrottleState) {
  return {
    failures: state.failures,
    lastFailureAt: new Date(state.lastFailureAt).toISOString(),
    blockedUntil: state.blockedUntil === null ? null : new Date(state.blockedUntil).toISOString(),
  };
}

/**
 * Decides, in one `BEGIN IMMEDIATE` transaction, whether a password may be checked now. If every
 * counter allows it, the attempt is charged to all of them as a failure before the (slow) check,
 * so concurrent attempts — in this process or another — each see the ones before them and never
 * pass more checks than the budget. Call `settleAttempt` when the password turns out right.
 */
export async function reserveAttempt(keys: ChargedKey[], now = new Date()): Promise<ThrottleDecision> {
  const at = now.getTime();
  return transaction(async (tx) => {
    // Rows a day past their last failure carry no information any more.
    await tx
      .delete(signInThrottles)
      .where(
        and(
          lt(signInThrottles.lastFailureAt, new Date(at - DAY).toISOString()),
          or(isNull(signInThrottles.blockedUntil), lt(signInThrottles.blockedUntil, now.toISOString())),
        ),
      );
    const rows = new Map(
      (
        await tx
          .select()
          .from(signInThrottles)
          .where(
            inArray(
              signInThrottles.key,
              keys.map((k) => k.key),
            ),
          )
      ).map((row) => [row.key, row]),
    );
    const next: { key: ChargedKey; state: ThrottleState }[] = [];
    let retryAt = 0;
    for (const key of keys) {
      const result = reserveOne(toState(rows.get(key.key)), THROTTLE_RULES[key.kind], at);
      if (result.allowed) next.push({ key, state: result.next });
      else retryAt = Math.max(retryAt, result.retryAt);
    }
    if (retryAt > 0) {
      return {
        allowed: false as const,
        retryAt: new Date(retryAt),
        retryAfterSeconds: retryAfterSeconds(retryAt, at),
      };
    }
    for (const { key, state } of next) {
      await tx
        .insert(signInThrottles)
        .values({ key: key.key, account: key.account, ...toValues(state) })
        .onConflictDoUpdate({ target: signInThrottles.key, set: toValues(state) });
    }
    return { allowed: true as const, attempt: { keys } };
  });
}

/**
 * The password was right: a source's own counter (pair, trusted browser, current-password check)
 * starts afresh, and the shared counters (account, address) get this attempt back.
 */
export async function settleAttempt(attempt: ReservedAttempt): Promise<void> {
  await transaction(async (tx) => {
    for (const key of attempt.keys) {
      const rule = THROTTLE_RULES[key.kind];
      const shared = key.kind === "account" || key.kind === "address";
      const row = await first(tx.select().from(signInThrottles).where(eq(signInThrottles.key, key.key)));
      const state = shared ? refundAttempt(toState(row), rule) : null;
      if (state)
        await tx.update(signInThrottles).set(toValues(state)).where(eq(signInThrottles.key, key.key));
      else await tx.delete(signInThrottles).where(eq(signInThrottles.key, key.key));
    }
  });
}

export type AccountThrottle = {
  /** Failed attempts still remembered across the account's counters (the largest of them). */
  failures: number;
  /** The latest time until which some counter of this account makes people wait; null if none. */
  blockedUntil: string | null;
};

/** The throttle standing of each of these accounts (by email), for the Users page. */
export async function accountThrottles(
  emails: string[],
  now = new Date(),
): Promise<Map<string, AccountThrottle>> {
  const byAccount = new Map(emails.map((email) => [accountKey(email), email]));
  const rows = await reader()
    .select()
    .from(signInThrottles)
    .where(and(isNotNull(signInThrottles.account), inArray(signInThrottles.account, [...byAccount.keys()])));
  const result = new Map<string, AccountThrottle>();
  for (const row of rows) {
    const email = byAccount.get(row.account!)!;
    if (Date.parse(row.lastFailureAt) < now.getTime() - DAY) continue;
    const current = result.get(email) ?? { failures: 0, blockedUntil: null };
    current.failures = Math.max(current.failures, row.failures);
    if (row.blockedUntil && Date.parse(row.blockedUntil) > now.getTime()) {
      if (!current.blockedUntil || row.blockedUntil > current.blockedUntil)
        current.blockedUntil = row.blockedUntil;
    }
    result.set(email, current);
  }
  return result;
}

/**
 * Lifts every limit of one person's account — the account counter, each of its sources and trusted
 * browsers, its current-password check — and records who did it. Address limits stay: they are
 * about a source, not a person.
 */
export async function liftSignInLimits({ userId, actor }: { userId: number; actor: Actor }): Promise<number> {
  return transaction(async (tx) => {
    const user = await first(tx.select({ email: users.email }).from(users).where(eq(users.id, userId)));
    if (!user) throw new Refusal("not-found", "no such user");
    const cleared = affected(
      await tx.delete(signInThrottles).where(eq(signInThrottles.account, accountKey(user.email))),
    );
    await recordAudit(tx, {
      actor,
      action: "user.sign-in-limits-lifted",
      details: { userId, email: user.email, countersCleared: cleared },
    });
    return cleared;
  });
}
