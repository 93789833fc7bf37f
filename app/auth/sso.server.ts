/**
 * Single sign-on through the company's OpenID provider (ADR 18), with `openid-client`: the
 * Authorization Code flow with PKCE, `state` and `nonce`, configured by discovery. What a sign-in in
 * progress must remember (state, nonce, PKCE verifier, where to go afterwards) lives in a signed,
 * HttpOnly cookie of this browser for ten minutes and is used once. Every way it can fail comes back
 * as an `SsoFailure` the callback page explains; no token or code ever reaches a log or the audit.
 */
import { createCookie } from "@remix-run/node";
import * as oidc from "openid-client";
import { groupsIn, type SsoFailure } from "../core/sso";
import { type Env, getEnv, isLoopbackUrl, sessionSecret } from "../env.server";

/** Scopes always asked for; OIDC_SCOPES adds to them. */
const BASE_SCOPES = ["openid", "email", "profile"];
/** How long the person may spend at the provider before the answer is refused. */
const FLOW_MAX_AGE_S = 10 * 60;
/** How long discovered metadata is reused before it is read again (endpoints rarely move). */
const METADATA_MAX_AGE_MS = 10 * 60 * 1000;
/** An ID token issued further in the future than this means the two clocks disagree. */
const MAX_CLOCK_AHEAD_S = 60;
/** Requests to the provider that take longer than this count as "unreachable". */
const PROVIDER_TIMEOUT_S = 10;

/** Single sign-on's settings, when it is configured. */
export type SsoSettings = {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  redirectPath: string;
  redirectUri: string;
  scopes: string[];
  providerName: string;
};

export function ssoSettings(env: Env = getEnv()): SsoSettings | null {
  if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID) return null;
  return {
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    redirectPath: env.OIDC_REDIRECT_PATH,
    redirectUri: `${env.PUBLIC_BASE_URL}${env.OIDC_REDIRECT_PATH}`,
    scopes: [...new Set([...BASE_SCOPES, ...env.OIDC_SCOPES])],
    providerName: env.OIDC_PROVIDER_NAME ?? new URL(env.OIDC_ISSUER).host,
  };
}

/** A sign-in through the provider that ended without a session, and why. */
export class SsoError extends Error {
  override name = "SsoError";
  constructor(
    readonly failure: SsoFailure,
    /** An error code or the provider's error name, for the audit log and the page; never a secret. */
    readonly detail: string | null = null,
  ) {
    super(`${failure}${detail ? ` (${detail})` : ""}`);
  }
}

let metadata: { value: oidc.ServerMetadata; readAt: number; issuer: string } | undefined;

/**
 * The client configuration for one sign-in. Discovery is cached for a few minutes, but each sign-in
 * gets a configuration of its own, so its JWKS is fetched afresh: a key the provider rotated in is
 * found at once, and a key it retired is never trusted again.
 */
async function configuration(settings: SsoSettings): Promise<oidc.Configuration> {
  const insecure = settings.issuer.startsWith("http:") && isLoopbackUrl(settings.issuer);
  const clientAuth = settings.clientSecret ? oidc.ClientSecretBasic(settings.clientSecret) : oidc.None();
  const clientMetadata: Partial<oidc.ClientMetadata> = settings.clientSecret
    ? { client_secret: settings.clientSecret }
    : { token_endpoint_auth_method: "none" };
  const fresh =
    metadata && metadata.issuer === settings.issuer && Date.now() - metadata.readAt < METADATA_MAX_AGE_MS;
  let config: oidc.Configuration;
  if (fresh && metadata) {
    config = new oidc.Configuration(metadata.value, settings.clientId, clientMetadata, clientAuth);
  } else {
    try {
      config = await oidc.discovery(new URL(settings.issuer), settings.clientId, clientMetadata, clientAuth, {
        // Plain HTTP only to a provider on this machine (development and tests); env.server.ts
        // refuses any other http:// issuer in production.
        execute: insecure ? [oidc.allowInsecureRequests] : [],
        timeout: PROVIDER_TIMEOUT_S,
      });
    } catch (error) {
      throw new SsoError("provider-unreachable", errorCode(error));
    }
    metadata = { value: config.serverMetadata(), readAt: Date.now(), issuer: settings.issuer };
  }
  if (insecure) oidc.allowInsecureRequests(config);
  // Verify the ID token's signature against the provider's JWKS even though it came straight from
  // the token endpoint (the library would otherwise lean on TLS alone, which OIDC Core allows): a
  // key the provider retired, or a token it never signed, is refused.
  oidc.enableNonRepudiationChecks(config);
  config.timeout = PROVIDER_TIMEOUT_S;
  return config;
}

/** Forgets discovered metadata (after the provider could not be reached, or in tests). */
function forgetMetadata() {
  metadata = undefined;
}

type Flow = { state: string; nonce: string; verifier: string; redirectTo: string };

let flowCookie: ReturnType<typeof createCookie> | undefined;
function flowJar() {
  const env = getEnv();
  flowCookie ??= createCookie("redline_sso", {
    httpOnly: true,
    sameSite: "lax",
    secure: env.NODE_ENV === "production", // as the session cookie (ADR 4)
    path: "/admin",
    secrets: [sessionSecret(env)],
    maxAge: FLOW_MAX_AGE_S,
  });
  return flowCookie;
}

/** A Set-Cookie header that forgets the sign-in in progress (it is used once, whatever the outcome). */
export function clearFlow(): Promise<string> {
  return flowJar().serialize("", { maxAge: 0 });
}

/**
 * Starts a sign-in: the provider's authorization URL to send the browser to, and the cookie that
 * remembers this sign-in's state, nonce and PKCE verifier.
 */
export async function startSignIn(
  settings: SsoSettings,
  redirectTo: string,
): Promise<{ url: string; setCookie: string }> {
  const config = await configuration(settings);
  const flow: Flow = {
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    verifier: oidc.randomPKCECodeVerifier(),
    redirectTo,
  };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: settings.redirectUri,
    scope: settings.scopes.join(" "),
    code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: "S256",
    state: flow.state,
    nonce: flow.nonce,
  });
  return { url: url.href, setCookie: await flowJar().serialize(flow) };
}

async function readFlow(request: Request): Promise<Flow | null> {
  const value: unknown = await flowJar().parse(request.headers.get("cookie"));
  if (typeof value !== "object" || value === null) return null;
  const flow = value as Partial<Flow>;
  if (
    typeof flow.state !== "string" ||
    typeof flow.nonce !== "string" ||
    typeof flow.verifier !== "string" ||
    typeof flow.redirectTo !== "string"
  ) {
    return null;
  }
  return flow as Flow;
}

/** Who signed in, from an ID token that passed every check. */
export type VerifiedSignIn = {
  issuer: string;
  subject: string;
  email: string | null;
  name: string | null;
  claims: Record<string, unknown>;
  redirectTo: string;
};

/**
 * Finishes a sign-in from the provider's answer at the callback URL: checks it belongs to the
 * sign-in this browser started (state), exchanges the code with the PKCE verifier, and validates the
 * ID token fully — issuer, audience, expiry, nonce and signature against the provider's current keys.
 * Throws SsoError.
 */
export async function finishSignIn(
  settings: SsoSettings,
  request: Request,
  { roleClaim }: { roleClaim: string },
): Promise<VerifiedSignIn> {
  const requestUrl = new URL(request.url);
  // The URL the provider was told to come back to, with the answer's parameters: behind a proxy the
  // request's own URL may name an internal host.
  const callbackUrl = new URL(settings.redirectUri);
  callbackUrl.search = requestUrl.search;
  const params = requestUrl.searchParams;
  const providerError = params.get("error");
  const flow = await readFlow(request);
  if (!flow) {
    if (providerError) throw providerRefusal(providerError);
    // No sign-in of this browser to match: expired, used already, another browser — or Redline was
    // opened at an address other than its registered one, so the cookie went elsewhere.
    if (requestUrl.host !== new URL(settings.redirectUri).host) {
      throw new SsoError("wrong-callback", `arrived at ${requestUrl.host}`);
    }
    throw new SsoError("no-sign-in-started");
  }
  if (providerError) throw providerRefusal(providerError);

  const config = await configuration(settings);
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    throw classify(error);
  }
  const claims = tokens.claims();
  if (!claims) throw new SsoError("invalid-token", "no ID token");
  // The library refuses expired tokens but not ones from the future, which only a wrong clock makes.
  if (typeof claims.iat === "number" && claims.iat > Date.now() / 1000 + MAX_CLOCK_AHEAD_S) {
    throw new SsoError("clock-skew", `issued ${Math.round(claims.iat - Date.now() / 1000)} s ahead`);
  }
  let all: Record<string, unknown> = { ...claims };
  const incomplete = groupsIn(all, roleClaim).length === 0 || typeof all.email !== "string";
  if (incomplete && config.serverMetadata().userinfo_endpoint) {
    // Many providers put scope claims (email, groups) only in userinfo unless asked for them in the
    // ID token; the ID token's own claims win where both have one.
    try {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      all = { ...info, ...claims };
    } catch (error) {
      throw classify(error);
    }
  }
  const email = typeof all.email === "string" && all.email.includes("@") ? all.email : null;
  const name = typeof all.name === "string" ? all.name : null;
  return { issuer: claims.iss, subject: claims.sub, email, name, claims: all, redirectTo: flow.redirectTo };
}

function providerRefusal(error: string): SsoError {
  const code = /^[\w.-]{1,64}$/.test(error) ? error : "unknown";
  return new SsoError(code === "access_denied" ? "consent-denied" : "provider-error", code);
}

/** The code of an error from openid-client, as short text for the audit log. */
function errorCode(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError) return `${error.error} (HTTP ${error.status})`;
  if (error instanceof oidc.AuthorizationResponseError) return error.error;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string") return code;
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof cause === "string" ? cause : error instanceof Error ? error.name : "unknown";
}

/** Which SsoFailure an error of the code exchange or the token's validation is. */
function classify(error: unknown): SsoError {
  if (error instanceof SsoError) return error;
  if (error instanceof oidc.AuthorizationResponseError) return providerRefusal(error.error);
  if (error instanceof oidc.ResponseBodyError) {
    // invalid_grant: the code was used already, has expired, or was not issued to this sign-in.
    if (error.error === "invalid_grant") return new SsoError("replayed-response", errorCode(error));
    return new SsoError("provider-error", errorCode(error));
  }
  const code = errorCode(error);
  // openid-client wraps oauth4webapi's error, whose own cause names the claim that failed.
  const cause = (error as { cause?: { message?: string; cause?: { claim?: string } } })?.cause;
  const claim = cause?.cause?.claim ?? "";
  switch (code) {
    case "OAUTH_INVALID_RESPONSE":
      if (/"state"/.test(cause?.message ?? "")) return new SsoError("tampered-response", "state");
      return new SsoError("invalid-token", code);
    case "OAUTH_JWT_TIMESTAMP_CHECK_FAILED":
      return new SsoError("token-expired", `${code} ${claim}`.trim());
    case "OAUTH_JWT_CLAIM_COMPARISON_FAILED":
      return new SsoError("invalid-token", `${code} ${claim}`.trim());
    case "OAUTH_KEY_SELECTION_FAILED":
    case "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED":
    case "OAUTH_PARSE_ERROR":
      return new SsoError("invalid-token", code);
    case "OAUTH_RESPONSE_IS_NOT_CONFORM":
    case "OAUTH_RESPONSE_IS_NOT_JSON":
    case "OAUTH_TIMEOUT":
    case "OAUTH_ABORT":
      forgetMetadata();
      return new SsoError("provider-unreachable", code);
  }
  // fetch() itself failed: refused connection, DNS, TLS.
  if (error instanceof TypeError || /ECONN|ENOTFOUND|EAI_AGAIN|fetch failed/.test(String(code))) {
    forgetMetadata();
    return new SsoError("provider-unreachable", code);
  }
  return new SsoError("invalid-token", code);
}

/**
 * The provider's end-session (sign-out) URL for someone signed out of Redline, or null when the
 * provider has none or cannot be reached now.
 */
export async function endSessionUrl(settings: SsoSettings): Promise<string | null> {
  let config: oidc.Configuration;
  try {
    config = await configuration(settings);
  } catch {
    return null;
  }
  if (!config.serverMetadata().end_session_endpoint) return null;
  return oidc.buildEndSessionUrl(config, {
    client_id: settings.clientId,
    post_logout_redirect_uri: `${getEnv().PUBLIC_BASE_URL}/admin/login?signedOut=1`,
  }).href;
}
