import {
  type ActionFunctionArgs,
  data,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import {
  checkLoginFormToken,
  clientAddress,
  getUser,
  loginFormToken,
  readForm,
  safeRedirectTarget,
  startSession,
  trustDevice,
  trustedDevice,
} from "~/auth/session.server";
import { endSessionUrl, ssoSettings } from "~/auth/sso.server";
import { passRetryAfter, tooManyAttempts } from "~/auth/throttle.server";
import { Notice } from "~/components/admin-ui";
import { getEnv } from "~/env.server";
import { BODY_LIMITS } from "~/http/body.server";
import { verifyCredentials } from "~/models/accounts.server";
import { accountKey, reserveAttempt, settleAttempt, signInKeys } from "~/models/login-throttle.server";
import { recordBreakGlassSignIn } from "~/models/sso.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Redline" }];
export const headers: HeadersFunction = passRetryAfter;

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const redirectTo = safeRedirectTarget(url.searchParams.get("redirectTo"));
  if (await getUser(request)) throw redirect(redirectTo);
  const { token, setCookie } = await loginFormToken(request);
  const sso = ssoSettings();
  const signedOut = url.searchParams.has("signedOut");
  return data(
    {
      csrf: token,
      redirectTo,
      signedOut,
      passwordReset: url.searchParams.has("passwordReset"),
      passwordsOff: getEnv().AUTH_PASSWORDS === "off",
      sso: sso
        ? {
            providerName: sso.providerName,
            start: `/admin/sso/start?redirectTo=${encodeURIComponent(redirectTo)}`,
            // After signing out of a session that came from the provider: its own sign-out, if it has one.
            endSession: signedOut && url.searchParams.has("provider") ? await endSessionUrl(sso) : null,
          }
        : null,
    },
    setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined,
  );
}

const SignInForm = z.object({
  intent: z.literal("sign-in"),
  email: z.string().trim().min(3).max(320),
  password: z.string().min(1).max(1024),
  redirectTo: z.string().optional(),
});

export async function action({ request, context }: ActionFunctionArgs) {
  // Anybody may send this one: the smallest budget of any form.
  const form = await readForm(request, BODY_LIMITS.signIn);
  await checkLoginFormToken(request, form);
  const parsed = SignInForm.safeParse(Object.fromEntries(form));
  if (!parsed.success) return data({ error: "Enter your email and password." }, { status: 400 });
  const { email, password } = parsed.data;
  const account = accountKey(email);
  // Reserve the attempt before the (slow) password check, so concurrent guesses never pass more
  // checks than the budget allows (ADR 10).
  const decision = await reserveAttempt(
    signInKeys({
      email,
      address: clientAddress(context),
      trustedDevice: await trustedDevice(request, account),
    }),
  );
  if (!decision.allowed) {
    return tooManyAttempts("Too many failed sign-ins.", decision.retryAfterSeconds);
  }
  const user = await verifyCredentials({ email, password });
  if (!user) return data({ error: "That email and password do not match an account." }, { status: 401 });
  await settleAttempt(decision.attempt);
  if (user.deactivatedAt) {
    return data(
      { error: "This account has been deactivated. Ask an admin if you need access again." },
      { status: 403 },
    );
  }
  // With AUTH_PASSWORDS=off only break-glass admins may use a password, and each use is audited.
  // Said only after the right password, like a deactivation, so it reveals nothing to a guesser.
  const passwordsOff = getEnv().AUTH_PASSWORDS === "off";
  if (passwordsOff && !user.breakGlass) {
    const sso = ssoSettings();
    return data(
      {
        error: `Password sign-in is turned off. Use “Sign in with ${sso?.providerName ?? "your identity provider"}” instead.`,
      },
      { status: 403 },
    );
  }
  if (passwordsOff) await recordBreakGlassSignIn({ userId: user.id, email: user.email });
  const headers = new Headers();
  headers.append("Set-Cookie", await startSession(user.id, passwordsOff ? "break-glass" : "password"));
  headers.append("Set-Cookie", await trustDevice(request, account));
  return redirect(safeRedirectTarget(parsed.data.redirectTo), { headers });
}

export default function SignIn() {
  const { csrf, redirectTo, signedOut, passwordReset, passwordsOff, sso } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <div className="sign-in">
      <h1>Sign in</h1>
      <p className="muted">The legal team's workspace for drafting, reviewing and publishing policies.</p>
      {signedOut && !result ? <Notice kind="info">You are signed out.</Notice> : null}
      {passwordReset && !result ? (
        <Notice kind="success">Your new password is set. Sign in with it.</Notice>
      ) : null}
      {signedOut && sso?.endSession && !result ? (
        <p>
          You may still be signed in at {sso.providerName}.{" "}
          <a href={sso.endSession}>Also sign out of {sso.providerName}</a>
        </p>
      ) : null}
      {result?.error ? <Notice kind="error">{result.error}</Notice> : null}
      {sso ? (
        <p>
          {/* A document navigation, not a client-side one: the answer is a redirect to another site. */}
          <a href={sso.start} className="button button-primary" data-sso-start>
            Sign in with {sso.providerName}
          </a>
        </p>
      ) : null}
      {passwordsOff ? (
        <p className="muted">
          Passwords are turned off. Only break-glass admins sign in with one, and each use is recorded.
        </p>
      ) : sso ? (
        <p className="muted">Or with your Redline password:</p>
      ) : null}
      <Form method="post" className="stack">
        <input type="hidden" name="csrf" value={csrf} />
        <input type="hidden" name="intent" value="sign-in" />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <label>
          Email
          <input type="email" name="email" autoComplete="username" required />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" required />
        </label>
        <button type="submit" className="button-primary" disabled={busy}>
          Sign in
        </button>
      </Form>
    </div>
  );
}
