import { data, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { safeRedirectTarget, startSession } from "~/auth/session.server";
import { clearFlow, finishSignIn, SsoError, ssoSettings } from "~/auth/sso.server";
import { SsoFailurePage } from "~/components/sso-failure";
import { decideRole, type SsoFailure } from "~/core/sso";
import { getEnv } from "~/env.server";
import { recordProviderFailure, signInFromProvider } from "~/models/sso.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Redline" }];

/** The answer to each failure: the provider's troubles are 502/503, the person's own 403, the rest 400. */
const STATUS: Record<SsoFailure, number> = {
  "provider-unreachable": 503,
  "provider-error": 502,
  "consent-denied": 403,
  "no-role": 403,
  "no-email": 403,
  deactivated: 403,
  "email-taken": 409,
  "clock-skew": 400,
  "token-expired": 400,
  "wrong-callback": 400,
  "no-sign-in-started": 400,
  "tampered-response": 400,
  "replayed-response": 400,
  "invalid-token": 400,
};

/**
 * The provider's answer comes back here, at OIDC_REDIRECT_PATH (any path under /admin/sso/ reaches
 * this route, so an answer sent to the wrong one is recognised and explained). A verified answer
 * becomes a session; anything else a page saying what happened, recorded in the audit log.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const settings = ssoSettings();
  if (!settings) throw new Response("Single sign-on is not configured.", { status: 404 });
  const url = new URL(request.url);
  const headers = new Headers({ "Set-Cookie": await clearFlow() });
  const fail = (failure: SsoFailure, detail: string | null) =>
    data(
      {
        failure,
        detail,
        providerName: settings.providerName,
        expectedCallback: failure === "wrong-callback" ? settings.redirectUri : null,
      },
      { status: STATUS[failure], headers },
    );

  if (url.pathname.replace(/\/$/, "") !== settings.redirectPath.replace(/\/$/, "")) {
    const looksLikeAnswer = ["code", "state", "error"].some((name) => url.searchParams.has(name));
    if (!looksLikeAnswer) throw new Response("Not found.", { status: 404 });
    await recordProviderFailure({ failure: "wrong-callback", detail: `arrived at ${url.pathname}` });
    return fail("wrong-callback", `arrived at ${url.pathname}`);
  }

  const env = getEnv();
  try {
    const signedIn = await finishSignIn(settings, request, { roleClaim: env.OIDC_ROLE_CLAIM });
    const decision = decideRole(signedIn.claims, {
      claim: env.OIDC_ROLE_CLAIM,
      map: env.OIDC_ROLE_MAP,
      defaultRole: env.OIDC_DEFAULT_ROLE,
    });
    // Audited inside (refusals, creation, role changes), in the transaction that makes them.
    const outcome = await signInFromProvider({ identity: signedIn, decision });
    if (!outcome.ok) return fail(outcome.failure, outcome.detail ?? null);
    headers.append("Set-Cookie", await startSession(outcome.userId, "sso"));
    return redirect(safeRedirectTarget(signedIn.redirectTo), { headers });
  } catch (error) {
    if (!(error instanceof SsoError)) throw error;
    await recordProviderFailure({ failure: error.failure, detail: error.detail });
    return fail(error.failure, error.detail);
  }
}

export default function SignInCallback() {
  const { failure, detail, providerName, expectedCallback } = useLoaderData<typeof loader>();
  return (
    <SsoFailurePage
      failure={failure}
      detail={detail}
      expectedCallback={expectedCallback}
      providerName={providerName}
    />
  );
}
