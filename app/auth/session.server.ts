import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { type AppLoadContext, createCookie, redirect } from "@remix-run/node";
import type { Role } from "../../db/tables";
import { getEnv, sessionSecret } from "../env.server";
import { BODY_LIMITS, BodyError, readFormBody, requireMediaType } from "../http/body.server";
import {
  createSession,
  deleteSession,
  findSession,
  SESSION_MAX_AGE_MS,
  type SessionUser,
} from "../models/sessions.server";
import { sentence } from "./errors.server";
import { roleAtLeast } from "./roles";

/** The signed-in person as loaders and actions see them. */
export type SignedInUser = SessionUser["user"] & {
  sessionId: number;
  /** How this session began: a password, the identity provider, or a break-glass password. */
  signInMethod: SessionUser["signInMethod"];
  /** Goes into every form that changes something, as the hidden field `csrf`. */
  csrfToken: string;
};

const secret = () => sessionSecret(getEnv());
const secure = () => getEnv().NODE_ENV === "production";

/** How long a browser stays trusted for an account after it last signed in to it. */
const TRUSTED_DEVICE_MAX_AGE_S = 180 * 24 * 60 * 60;
/** Accounts one browser is trusted for (a shared office computer); the oldest drops out. */
const TRUSTED_DEVICE_ACCOUNTS = 5;

let cookies:
  | {
      session: ReturnType<typeof createCookie>;
      login: ReturnType<typeof createCookie>;
      device: ReturnType<typeof createCookie>;
    }
  | undefined;
function cookieJar() {
  cookies ??= {
    session: createCookie("redline_session", {
      httpOnly: true,
      sameSite: "lax",
      secure: secure(),
      path: "/",
      secrets: [secret()],
      maxAge: Math.floor(SESSION_MAX_AGE_MS / 1000),
    }),
    // Login CSRF: a random value in a cookie that the sign-in form must repeat (double submit).
    login: createCookie("redline_login", {
      httpOnly: true,
      sameSite: "lax",
      secure: secure(),
      path: "/admin",
      secrets: [secret()],
      maxAge: 60 * 60,
    }),
    // A browser that signed in to an account before (ADR 10): its attempts have their own budget,
    // so an attacker guessing that account from elsewhere cannot keep its owner out.
    device: createCookie("redline_device", {
      httpOnly: true,
      sameSite: "lax",
      secure: secure(),
      path: "/admin",
      secrets: [secret()],
      maxAge: TRUSTED_DEVICE_MAX_AGE_S,
    }),
  };
  return cookies;
}

/** A keyed hash: the same input always maps to the same key, and nobody without the secret can reverse it. */
export function keyedHash(purpose: string, value: string): string {
  return createHmac("sha256", secret()).update(`${purpose}:${value}`).digest("base64url");
}

function csrfFor(tokenHash: string): string {
  return keyedHash("csrf", tokenHash);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function sessionToken(request: Request): Promise<string | null> {
  const value = await cookieJar().session.parse(request.headers.get("cookie"));
  return typeof value === "string" ? value : null;
}

/** The signed-in user, or null. Never throws for a missing, forged or expired cookie. */
export async function getUser(request: Request): Promise<SignedInUser | null> {
  const token = await sessionToken(request);
  if (!token) return null;
  const found = await findSession(token);
  if (!found) return null;
  return {
    ...found.user,
    sessionId: found.sessionId,
    signInMethod: found.signInMethod,
    csrfToken: csrfFor(found.tokenHash),
  };
}

/** Where the sign-in page sends someone back to; only paths inside /admin are accepted. */
export function safeRedirectTarget(value: unknown, fallback = "/admin"): string {
  if (typeof value !== "string") return fallback;
  if (!value.startsWith("/admin") || value.startsWith("//") || value.includes("\\")) return fallback;
  if (value.startsWith("/admin/login") || value.startsWith("/admin/logout")) return fallback;
  return value;
}

function signInUrl(request: Request): string {
  const url = new URL(request.url);
  const back = safeRedirectTarget(`${url.pathname}${url.search}`);
  return `/admin/login?redirectTo=${encodeURIComponent(back)}`;
}

function forbidden(message = "Your role does not allow this."): Response {
  return new Response(message, { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/**
 * The signed-in user if their role is at least `role`. Otherwise throws: a redirect to the sign-in
 * page when nobody is signed in, a 403 response when the role is not enough.
 * @example const user = await requireUser(request, { role: "editor" });
 */
export async function requireUser(request: Request, { role }: { role: Role }): Promise<SignedInUser> {
  const user = await getUser(request);
  if (!user) throw pageRefusal(request, { kind: "signed-out" });
  if (!roleAtLeast(user.role, role)) throw pageRefusal(request, { kind: "role" });
  return user;
}

/**
 * Whether a form post came from this site: the browser's Origin (or Sec-Fetch-Site) must say so.
 * Requests without either header (scripts, old browsers) rely on the CSRF token alone.
 */
function isSameOrigin(request: Request): boolean {
  if (request.headers.get("sec-fetch-site") === "cross-site") return false;
  const origin = request.headers.get("origin");
  if (!origin) return true;
  const allowed = new Set([new URL(request.url).host, new URL(getEnv().PUBLIC_BASE_URL).host]);
  const host = request.headers.get("host");
  if (host) allowed.add(host);
  try {
    return allowed.has(new URL(origin).host);
  } catch {
    return false;
  }
}

/** Refuses cross-site form posts (see isSameOrigin) with a 403. */
export function checkSameOrigin(request: Request): void {
  if (!isSameOrigin(request)) throw forbidden("Cross-site request refused.");
}

function bodyRefused(error: BodyError): Response {
  return new Response(sentence(error.message), {
    status: error.status,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

/**
 * Reads a form body of at most `limit` bytes (ADR 13). A refused body is thrown as a plain-text
 * 4xx that the error boundary shows: 413 over the limit, 415 not a form, 400 malformed.
 */
export async function readForm(request: Request, limit: number = BODY_LIMITS.form): Promise<FormData> {
  try {
    return await readFormBody(request, limit);
  } catch (error) {
    if (error instanceof BodyError) throw bodyRefused(error);
    throw error;
  }
}

function csrfMatches(user: SignedInUser, form: FormData): boolean {
  const token = form.get("csrf");
  return typeof token === "string" && safeEqual(token, user.csrfToken);
}

const EXPIRED_FORM = "This form has expired or did not come from Redline. Reload the page and try again.";

/** Checks the CSRF token a form carries against the user's session. */
export function checkCsrf(user: SignedInUser, form: FormData): void {
  if (!csrfMatches(user, form)) throw forbidden(EXPIRED_FORM);
}

/** Why requireUserForm refused a request, for a caller that answers in its own format. */
export type FormRefusal =
  | { kind: "signed-out" }
  | { kind: "role" }
  | { kind: "cross-site" }
  | { kind: "body"; error: BodyError }
  | { kind: "expired-form" };

/** The workspace pages' answers: the sign-in page, or a plain-text 4xx for the error boundary. */
function pageRefusal(request: Request, refusal: FormRefusal): Response {
  switch (refusal.kind) {
    case "signed-out":
      return redirect(signInUrl(request));
    case "role":
      return forbidden();
    case "cross-site":
      return forbidden("Cross-site request refused.");
    case "body":
      return bodyRefused(refusal.error);
    case "expired-form":
      return forbidden(EXPIRED_FORM);
  }
}

/**
 * For actions: the signed-in user with at least `role`, after checking the request's origin and the
 * form's CSRF token, and the form itself (at most `limit` bytes, a workspace form's by default).
 * Refusals are thrown as responses: the workspace pages' by default, or what `refuse` makes of them
 * (the editor's autosave answers JSON).
 * @example const { user, form } = await requireUserForm(request, { role: "approver" });
 */
export async function requireUserForm(
  request: Request,
  {
    role,
    limit = BODY_LIMITS.form,
    refuse = (refusal) => pageRefusal(request, refusal),
  }: { role: Role; limit?: number; refuse?: (refusal: FormRefusal) => Response },
): Promise<{ user: SignedInUser; form: FormData }> {
  const user = await getUser(request);
  if (!user) throw refuse({ kind: "signed-out" });
  if (!roleAtLeast(user.role, role)) throw refuse({ kind: "role" });
  if (!isSameOrigin(request)) throw refuse({ kind: "cross-site" });
  let form: FormData;
  try {
    form = await readFormBody(request, limit);
  } catch (error) {
    if (error instanceof BodyError) throw refuse({ kind: "body", error });
    throw error;
  }
  if (!csrfMatches(user, form)) throw refuse({ kind: "expired-form" });
  return { user, form };
}

/** The header a script's upload carries the CSRF token in (a raw body has no form field for it). */
const CSRF_HEADER = "x-csrf-token";

/**
 * For uploads sent by a page's script with a raw body (the subscribers CSV): the signed-in user with
 * at least `role`, after the origin check, the media type (one of `types`, else 415) and the CSRF
 * token from the `X-CSRF-Token` header. The body is left unread for the caller to stream. Refusals are thrown as plain-text answers the script
 * shows: 401 signed out, 403 role, origin or token.
 */
export async function requireUserUpload(
  request: Request,
  { role, types, what }: { role: Role; types: readonly string[]; what: string },
): Promise<SignedInUser> {
  const text = (message: string, status: number) =>
    new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const user = await getUser(request);
  if (!user) throw text("Your session has ended. Sign in again, then upload the file again.", 401);
  if (!roleAtLeast(user.role, role)) throw forbidden();
  if (!isSameOrigin(request)) throw forbidden("Cross-site request refused.");
  try {
    requireMediaType(request, types, what);
  } catch (error) {
    if (error instanceof BodyError) throw bodyRefused(error);
    throw error;
  }
  const token = request.headers.get(CSRF_HEADER);
  if (typeof token !== "string" || !safeEqual(token, user.csrfToken)) throw forbidden(EXPIRED_FORM);
  return user;
}

/** Starts a session for a user and returns the Set-Cookie header value. */
export async function startSession(
  userId: number,
  signInMethod: SessionUser["signInMethod"] = "password",
): Promise<string> {
  const { token } = await createSession({ userId, signInMethod });
  return cookieJar().session.serialize(token);
}

/** Ends the session of this request (if any) and returns a Set-Cookie header that clears the cookie. */
export async function endSession(request: Request): Promise<string> {
  const token = await sessionToken(request);
  if (token) await deleteSession(token);
  return cookieJar().session.serialize("", { maxAge: 0 });
}

/** Login CSRF: the token for the sign-in form, and the cookie that must accompany it. */
export async function loginFormToken(request: Request): Promise<{ token: string; setCookie: string | null }> {
  const existing = await cookieJar().login.parse(request.headers.get("cookie"));
  if (typeof existing === "string" && existing.length > 20) return { token: existing, setCookie: null };
  const token = randomBytes(24).toString("base64url");
  return { token, setCookie: await cookieJar().login.serialize(token) };
}

export async function checkLoginFormToken(request: Request, form: FormData): Promise<void> {
  checkSameOrigin(request);
  const expected = await cookieJar().login.parse(request.headers.get("cookie"));
  const given = form.get("csrf");
  if (typeof expected !== "string" || typeof given !== "string" || !safeEqual(expected, given)) {
    throw forbidden("The sign-in form has expired. Reload the page and try again.");
  }
}

type TrustedAccount = { account: string; device: string };

async function trustedAccounts(request: Request): Promise<TrustedAccount[]> {
  const value: unknown = await cookieJar().device.parse(request.headers.get("cookie"));
  if (!Array.isArray(value)) return [];
  return value
    .filter(
      (entry): entry is TrustedAccount =>
        typeof entry?.account === "string" && typeof entry?.device === "string",
    )
    .slice(0, TRUSTED_DEVICE_ACCOUNTS);
}

/**
 * This browser's id for the account (`accountKey` of the email) if it signed in to that account
 * before; null otherwise. The cookie is signed, so it cannot be made up.
 */
export async function trustedDevice(request: Request, account: string): Promise<string | null> {
  return (await trustedAccounts(request)).find((entry) => entry.account === account)?.device ?? null;
}

/** Marks this browser as trusted for the account; returns the Set-Cookie header value. */
export async function trustDevice(request: Request, account: string): Promise<string> {
  const entries = await trustedAccounts(request);
  const device =
    entries.find((entry) => entry.account === account)?.device ?? randomBytes(18).toString("base64url");
  const next = [{ account, device }, ...entries.filter((entry) => entry.account !== account)].slice(
    0,
    TRUSTED_DEVICE_ACCOUNTS,
  );
  return cookieJar().device.serialize(next);
}

/** The address a request came from, as the HTTP shell resolved it through TRUST_PROXY. */
export function clientAddress(context: AppLoadContext | undefined): string {
  return context?.clientAddress ?? "unknown";
}
