/**
 * People who sign in through the identity provider (ADR 18): found by the provider's issuer and
 * subject — never by email alone — created on their first sign-in, and given the role their groups
 * map to at every sign-in. Refusals, role changes and break-glass sign-ins are audited.
 */
import { and, desc, eq, gte, isNull, ne } from "drizzle-orm";
import { affected, first } from "../../db/dialect";
import { auditLog, type Role, sessions, users } from "../../db/tables";
import { Refusal } from "../core/refusal";
import type { RoleDecision, SsoFailure } from "../core/sso";
import { recordAudit } from "./audit.server";
import { type Actor, reader, transaction } from "./db.server";
import { normaliseEmail } from "./users.server";

/**
 * Stored as the password hash of people created by the provider: not an argon2 hash, so no password
 * ever matches it (verify fails closed).
 */
const NO_PASSWORD = "!sso-only";

/** Who the provider says signed in, from a verified ID token. */
export type ProviderIdentity = {
  issuer: string;
  subject: string;
  email: string | null;
  name: string | null;
};

export type ProviderSignIn =
  | { ok: true; userId: number; email: string; role: Role; created: boolean }
  | {
      ok: false;
      failure: Extract<SsoFailure, "no-role" | "no-email" | "email-taken" | "deactivated">;
      /** What an admin needs to act (the subject to link for "email-taken"); never a secret. */
      detail?: string;
    };

const SYSTEM = { kind: "system" } as const;

/**
 * Settles one sign-in through the provider in one transaction: finds the person by (issuer, subject),
 * creates them when new, sets the role their groups give them now (audited when it changes), keeps
 * their email in step with the provider's. A person whose groups no longer give any role is refused
 * and every session they still have ends, so leaving the group ends access at once.
 */
export async function signInFromProvider({
  identity,
  decision,
}: {
  identity: ProviderIdentity;
  decision: RoleDecision;
}): Promise<ProviderSignIn> {
  return transaction(async (tx) => {
    const known = await first(
      tx
        .select()
        .from(users)
        .where(and(eq(users.oidcIssuer, identity.issuer), eq(users.oidcSubject, identity.subject))),
    );
    const who = { issuer: identity.issuer, subject: identity.subject, userId: known?.id ?? null };

    if (decision.role === null) {
      const sessionsEnded = known
        ? affected(await tx.delete(sessions).where(eq(sessions.userId, known.id)))
        : 0;
      await recordAudit(tx, {
        actor: SYSTEM,
        action: "user.sso-refused",
        details: { ...who, email: known?.email ?? identity.email, reason: "no-role", sessionsEnded },
      });
      return { ok: false, failure: "no-role" };
    }

    if (known?.deactivatedAt) {
      await recordAudit(tx, {
        actor: SYSTEM,
        action: "user.sso-refused",
        details: { ...who, email: known.email, reason: "deactivated" },
      });
      return { ok: false, failure: "deactivated" };
    }

    const email = identity.email ? normaliseEmail(identity.email) : null;
    const via = { via: "sso", issuer: identity.issuer, groups: decision.groups, roleFrom: decision.from };

    if (!known) {
      if (!email) {
        await recordAudit(tx, {
          actor: SYSTEM,
          action: "user.sso-refused",
          details: { ...who, reason: "no-email" },
        });
        return { ok: false, failure: "no-email" };
      }
      const holder = await first(tx.select({ id: users.id }).from(users).where(eq(users.email, email)));
      if (holder) {
        await recordAudit(tx, {
          actor: SYSTEM,
          action: "user.sso-refused",
          details: { ...who, email, reason: "email-taken", holderId: holder.id },
        });
        return { ok: false, failure: "email-taken", detail: `subject ${identity.subject}` };
      }
      const [created] = await tx
        .insert(users)
        .values({
          email,
          name: identity.name?.trim().slice(0, 200) || null,
          role: decision.role,
          passwordHash: NO_PASSWORD,
          oidcIssuer: identity.issuer,
          oidcSubject: identity.subject,
        })
        .returning({ id: users.id });
      await recordAudit(tx, {
        actor: SYSTEM,
        action: "user.created",
        details: { userId: created.id, email, role: decision.role, subject: identity.subject, ...via },
      });
      return { ok: true, userId: created.id, email, role: decision.role, created: true };
    }

    if (known.role !== decision.role) {
      await tx.update(users).set({ role: decision.role }).where(eq(users.id, known.id));
      await recordAudit(tx, {
        actor: SYSTEM,
        action: "user.role-changed",
        details: { userId: known.id, email: known.email, from: known.role, to: decision.role, ...via },
      });
    }
    let current = known.email;
    if (email && email !== known.email) {
      // The provider's address changed (a new name, a new domain): follow it unless someone else holds it.
      const holder = await first(
        tx
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.email, email), ne(users.id, known.id))),
      );
      if (!holder) {
        await tx.update(users).set({ email }).where(eq(users.id, known.id));
        await recordAudit(tx, {
          actor: SYSTEM,
          action: "user.email-changed",
          details: { userId: known.id, from: known.email, to: email, via: "sso" },
        });
        current = email;
      }
    }
    return { ok: true, userId: known.id, email: current, role: decision.role, created: false };
  });
}

/**
 * Links an existing account (made with a password before single sign-on) to the provider's subject
 * for that person, so their first sign-in through the provider finds it instead of being refused for
 * its email: an admin's explicit act, audited, never inferred from the email.
 */
export async function linkProviderIdentity({
  userId,
  issuer,
  subject,
  actor,
}: {
  userId: number;
  issuer: string;
  subject: string;
  actor: Actor;
}): Promise<void> {
  if (!subject.trim() || subject.length > 255)
    throw new Refusal("invalid", "the subject must be 1 to 255 characters");
  await transaction(async (tx) => {
    const user = await first(tx.select().from(users).where(eq(users.id, userId)));
    if (!user) throw new Refusal("not-found", "no such user");
    const holder = await first(
      tx
        .select({ email: users.email })
        .from(users)
        .where(and(eq(users.oidcIssuer, issuer), eq(users.oidcSubject, subject), ne(users.id, userId))),
    );
    if (holder) throw new Refusal("conflict", `that provider account is already linked to ${holder.email}`);
    await tx.update(users).set({ oidcIssuer: issuer, oidcSubject: subject }).where(eq(users.id, userId));
    await recordAudit(tx, {
      actor,
      action: "user.sso-linked",
      details: { userId, email: user.email, issuer, subject, previousSubject: user.oidcSubject },
    });
  });
}

/**
 * Makes an existing admin a break-glass account (or no longer one), e.g. the first start's admin
 * before passwords are turned off. Audited.
 */
export async function setBreakGlass({
  userId,
  breakGlass,
  actor,
}: {
  userId: number;
  breakGlass: boolean;
  actor: Actor;
}): Promise<{ email: string; changed: boolean }> {
  return transaction(async (tx) => {
    const user = await first(tx.select().from(users).where(eq(users.id, userId)));
    if (!user) throw new Refusal("not-found", "no such user");
    if (breakGlass && user.role !== "admin") {
      throw new Refusal(
        "invalid",
        `${user.email} is a ${user.role}; only an admin can be a break-glass account`,
      );
    }
    if (user.breakGlass === breakGlass) return { email: user.email, changed: false };
    await tx.update(users).set({ breakGlass }).where(eq(users.id, userId));
    await recordAudit(tx, {
      actor,
      action: "user.break-glass-changed",
      details: { userId, email: user.email, breakGlass },
    });
    return { email: user.email, changed: true };
  });
}

/**
 * Records a sign-in through the provider that failed before anyone was identified (unreachable
 * provider, tampered or replayed answer, bad token…). `detail` is an error code or a provider's
 * error name, never a token or a code.
 */
export async function recordProviderFailure({
  failure,
  detail,
}: {
  failure: SsoFailure;
  detail: string | null;
}): Promise<void> {
  await transaction(async (tx) => {
    await recordAudit(tx, {
      actor: SYSTEM,
      action: "sso.sign-in-failed",
      details: { reason: failure, detail },
    });
  });
}

/** Records a break-glass admin's password sign-in while passwords are off. */
export async function recordBreakGlassSignIn({ userId, email }: { userId: number; email: string }) {
  await transaction(async (tx) => {
    await recordAudit(tx, {
      actor: { kind: "user", id: userId },
      action: "user.break-glass-sign-in",
      details: { userId, email },
    });
  });
}

/** Break-glass sign-ins since `since`, newest first: the overview shows them to every admin. */
export async function recentBreakGlassSignIns({
  since,
  limit = 10,
}: {
  since: Date;
  limit?: number;
}): Promise<{ at: string; email: string }[]> {
  const rows = await reader()
    .select({ at: auditLog.at, details: auditLog.details })
    .from(auditLog)
    .where(and(eq(auditLog.action, "user.break-glass-sign-in"), gte(auditLog.at, since.toISOString())))
    .orderBy(desc(auditLog.id))
    .limit(limit);
  return rows.map((row) => ({ at: row.at, email: String(row.details.email ?? "") }));
}

/** Break-glass admins who can still sign in: the overview warns when passwords are off and there is none. */
export async function activeBreakGlassAdmins(): Promise<string[]> {
  const rows = await reader()
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.breakGlass, true), eq(users.role, "admin"), isNull(users.deactivatedAt)));
  return rows.map((row) => row.email);
}
