import { data, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getUser, safeRedirectTarget } from "~/auth/session.server";
import { SsoError, ssoSettings, startSignIn } from "~/auth/sso.server";
import { SsoFailurePage } from "~/components/sso-failure";
import { recordProviderFailure } from "~/models/sso.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Redline" }];

/**
 * "Sign in with <provider>": sends the browser to the identity provider with a fresh state, nonce
 * and PKCE challenge (a link, not a form: the workspace's `form-action 'self'` would stop a form's
 * redirect to another site). Anyone may start; nothing changes until the provider answers.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const settings = ssoSettings();
  if (!settings) throw new Response("Single sign-on is not configured.", { status: 404 });
  const redirectTo = safeRedirectTarget(new URL(request.url).searchParams.get("redirectTo"));
  if (await getUser(request)) throw redirect(redirectTo);
  try {
    const { url, setCookie } = await startSignIn(settings, redirectTo);
    return redirect(url, { headers: { "Set-Cookie": setCookie } });
  } catch (error) {
    if (!(error instanceof SsoError)) throw error;
    await recordProviderFailure({ failure: error.failure, detail: error.detail });
    return data(
      { failure: error.failure, detail: error.detail, providerName: settings.providerName },
      { status: 503 },
    );
  }
}

export default function StartSignIn() {
  const { failure, detail, providerName } = useLoaderData<typeof loader>();
  return (
    <SsoFailurePage failure={failure} detail={detail} expectedCallback={null} providerName={providerName} />
  );
}
