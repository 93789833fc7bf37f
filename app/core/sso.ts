/**
 * Single sign-on's pure rules (ADR 18): which role a person's groups give them, and what each way a
 * sign-in can fail means to the person in front of the page. No I/O; the OpenID exchange itself is
 * in app/auth/sso.server.ts.
 */
import { z } from "zod";
import type { Role } from "../../db/tables";

/**
 * How a session began: a password, the identity provider, or a break-glass admin's password while
 * passwords are off (sessions.sign_in_method).
 */
export const SIGN_IN_METHODS = ["password", "sso", "break-glass"] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/** The roles a provider's groups may map to, least to most powerful. */
export const OIDC_ROLES = ["viewer", "editor", "approver", "admin"] as const satisfies readonly Role[];
const RANK: Record<Role, number> = { viewer: 0, editor: 1, approver: 2, admin: 3 };

export type RoleMap = Readonly<Record<string, Role>>;

const RoleMapSchema = z.record(
  z.string().min(1, "a group name may not be empty"),
  z.enum(OIDC_ROLES, { message: "must be viewer, editor, approver or admin" }),
);

/**
 * Reads OIDC_ROLE_MAP: a JSON object from group (as the provider names it) to role. The error names
 * the group whose role is wrong, so the operator can fix the right line.
 * @example parseRoleMap('{"legal-editors":"editor","legal-leads":"approver"}')
 */
export function parseRoleMap(json: string): { ok: true; map: RoleMap } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, error: 'not JSON; write an object such as {"legal-editors":"editor"}' };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, error: 'must be a JSON object from group to role, e.g. {"legal-editors":"editor"}' };
  }
  const parsed = RoleMapSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const group = issue.path.map(String).join(".");
    return { ok: false, error: group ? `group "${group}": ${issue.message}` : issue.message };
  }
  return { ok: true, map: parsed.data };
}

/** The value at a dotted claim path (`realm_access.roles` in Keycloak), or undefined. */
function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (path in claims) return claims[path];
  let value: unknown = claims;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The groups a claim lists: an array of strings, or one string (some providers send a single role so). */
export function groupsIn(claims: Record<string, unknown>, claim: string): string[] {
  const value = claimAt(claims, claim);
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  return [];
}

export type RoleDecision =
  | { role: Role; from: "group"; groups: string[] }
  | { role: Role; from: "default"; groups: [] }
  | { role: null; groups: [] };

/**
 * The role a person's groups give them at this sign-in: the most powerful role any of their mapped
 * groups has; the default role when none is mapped; null (refused) when there is no default.
 */
export function decideRole(
  claims: Record<string, unknown>,
  { claim, map, defaultRole }: { claim: string; map: RoleMap; defaultRole?: Role },
): RoleDecision {
  const mapped = groupsIn(claims, claim).filter((group) => Object.hasOwn(map, group));
  if (mapped.length > 0) {
    const role = mapped.map((group) => map[group]).reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
    return { role, from: "group", groups: mapped.filter((group) => map[group] === role) };
  }
  if (defaultRole) return { role: defaultRole, from: "default", groups: [] };
  return { role: null, groups: [] };
}

/** Every way a sign-in through the provider can end without a session. */
export const SSO_FAILURES = [
  "provider-unreachable",
  "clock-skew",
  "token-expired",
  "consent-denied",
  "provider-error",
  "wrong-callback",
  "no-sign-in-started",
  "tampered-response",
  "replayed-response",
  "invalid-token",
  "no-role",
  "no-email",
  "email-taken",
  "deactivated",
] as const;
export type SsoFailure = (typeof SSO_FAILURES)[number];

/** What the page says: what happened, and what the person can do about it. */
export const SSO_FAILURE_TEXT: Record<SsoFailure, { title: string; what: string; todo: string }> = {
  "provider-unreachable": {
    title: "The identity provider cannot be reached",
    what: "Redline could not talk to your company's identity provider, so it could not start or finish your sign-in.",
    todo: "Try again in a few minutes. If it keeps happening, tell whoever runs Redline: the provider's address (OIDC_ISSUER) or the network between them may be down.",
  },
  "clock-skew": {
    title: "The clocks of Redline and the identity provider disagree",
    what: "The provider's answer says it was issued in the future, which happens when one of the two machines has the wrong time.",
    todo: "Try again once. If it happens again, tell whoever runs Redline to check the server's clock (NTP).",
  },
  "token-expired": {
    title: "The identity provider's answer has expired",
    what: "The answer from your identity provider was too old when it reached Redline: the sign-in took too long, or a clock is wrong.",
    todo: "Start the sign-in again. If it happens every time, tell whoever runs Redline to check the server's clock (NTP).",
  },
  "consent-denied": {
    title: "The sign-in was cancelled",
    what: "The identity provider says that you (or a policy of your company) did not allow Redline to learn who you are.",
    todo: "Start again and accept when the provider asks whether Redline may sign you in. If you did not cancel, ask your IT team whether Redline is allowed for you.",
  },
  "provider-error": {
    title: "The identity provider refused the sign-in",
    what: "Your identity provider answered with an error instead of signing you in.",
    todo: "Try again. If it keeps happening, give the error below to your IT team or whoever runs Redline.",
  },
  "wrong-callback": {
    title: "The identity provider sent you back to the wrong address",
    what: "Redline expects the provider to send people back to one address only, and this was not it.",
    todo: "Tell whoever runs Redline: the redirect (callback) URL registered at the provider must be exactly the one shown below.",
  },
  "no-sign-in-started": {
    title: "This sign-in was not started in this browser, or has timed out",
    what: "Redline has no record of a sign-in started here in the last 10 minutes that this answer belongs to. It may have been used already, taken too long, or been started in another browser or at another address of Redline.",
    todo: "Start the sign-in again from the sign-in page. If it fails every time, check that you open Redline at its usual address.",
  },
  "tampered-response": {
    title: "The sign-in answer did not match the sign-in you started",
    what: "The answer that came back carries a different check value from the one Redline sent, so it may not be yours. Nobody was signed in.",
    todo: "Start the sign-in again. If someone sent you a link that led here, do not use it again.",
  },
  "replayed-response": {
    title: "This sign-in answer was already used",
    what: "The identity provider says this answer has already been used or has expired. A sign-in answer works once.",
    todo: "Start the sign-in again from the sign-in page. Going back in the browser after signing in leads here too.",
  },
  "invalid-token": {
    title: "The identity provider's answer could not be verified",
    what: "The proof of who you are did not pass Redline's checks (issuer, audience, signature or nonce), so nobody was signed in.",
    todo: "Start the sign-in again. If it keeps happening, tell whoever runs Redline: the provider's settings or signing keys may have changed.",
  },
  "no-role": {
    title: "Your account has no access to Redline",
    what: "You signed in at your identity provider, but none of your groups gives access to Redline (or it no longer does). Any Redline session you still had has been ended.",
    todo: "Ask your IT team or a Redline admin to add you to a group that has access.",
  },
  "no-email": {
    title: "Your identity provider did not share your email address",
    what: "Redline names people by their email address, and the provider's answer had none.",
    todo: "Ask your IT team to release the email claim (scope email) to Redline.",
  },
  "email-taken": {
    title: "Another Redline account already uses your email address",
    what: "A Redline account with your email exists but is not linked to your identity provider account. Redline never joins accounts by email alone.",
    todo: "Ask a Redline admin to link that account to your identity provider account (redline user link-sso), giving them the reference below; then sign in again.",
  },
  deactivated: {
    title: "Your Redline account has been deactivated",
    what: "You signed in at your identity provider, but an admin deactivated your Redline account.",
    todo: "Ask a Redline admin if you need access again.",
  },
};
