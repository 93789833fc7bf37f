import {
  type ActionFunctionArgs,
  data,
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
  keyedHash,
  loginFormToken,
  readForm,
  safeRedirectTarget,
  startSession,
} from "~/auth/session.server";
import { Notice } from "~/components/admin-ui";
import { BODY_LIMITS } from "~/http/body.server";
import { verifyCredentials } from "~/models/accounts.server";
import {
  ACCOUNT_FAILURE_LIMIT,
  ADDRESS_FAILURE_LIMIT,
  clearFailedSignIns,
  lockedUntil,
  recordFailedSignIn,
} from "~/models/login-throttle.server";
import { normaliseEmail } from "~/models/users.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Redline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const redirectTo = safeRedirectTarget(url.searchParams.get("redirectTo"));
  if (await getUser(request)) throw redirect(redirectTo);
  const { token, setCookie } = await loginFormToken(request);
  return data(
    { csrf: token, redirectTo, signedOut: url.searchParams.has("signedOut") },
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
  const accountKey = `account:${keyedHash("sign-in-account", normaliseEmail(email))}`;
  const keys = [
    { key: accountKey, limit: ACCOUNT_FAILURE_LIMIT },
    { key: `address:${keyedHash("sign-in-address", clientAddress(context))}`, limit: ADDRESS_FAILURE_LIMIT },
  ];
  const until = await lockedUntil(keys);
  if (until) {
    const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
    return data(
      { error: `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.` },
      { status: 429, headers: { "Retry-After": String(minutes * 60) } },
    );
  }
  const user = await verifyCredentials({ email, password });
  if (!user) {
    await recordFailedSignIn(keys);
    return data({ error: "That email and password do not match an account." }, { status: 401 });
  }
  await clearFailedSignIns(accountKey);
  return redirect(safeRedirectTarget(parsed.data.redirectTo), {
    headers: { "Set-Cookie": await startSession(user.id) },
  });
}

export default function SignIn() {
  const { csrf, redirectTo, signedOut } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <div className="sign-in">
      <h1>Sign in</h1>
      <p className="muted">The legal team's workspace for drafting, reviewing and publishing policies.</p>
      {signedOut && !result ? <Notice kind="info">You are signed out.</Notice> : null}
      {result?.error ? <Notice kind="error">{result.error}</Notice> : null}
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
