import {
  type ActionFunctionArgs,
  data,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { attempt, formError } from "~/auth/errors.server";
import {
  checkLoginFormToken,
  checkSameOrigin,
  loginFormToken,
  readForm,
  trustDevice,
} from "~/auth/session.server";
import { Notice } from "~/components/admin-ui";
import { accountKey } from "~/models/login-throttle.server";
import {
  completePasswordReset,
  findPasswordReset,
  INVALID_RESET_LINK,
} from "~/models/password-resets.server";
import { MIN_PASSWORD_LENGTH } from "~/models/users.server";

export const meta: MetaFunction = () => [{ title: "Set a new password · Redline" }];

// The token is in the address: never send it on to another site, never keep the page in a cache.
const PRIVATE_PAGE = { "Referrer-Policy": "no-referrer", "Cache-Control": "no-store" };
export const headers: HeadersFunction = () => PRIVATE_PAGE;

function invalidLink() {
  return data({ valid: false as const, error: INVALID_RESET_LINK }, { status: 404 });
}

/** An admin-issued one-time link (ADR 10): anyone holding it may set the person's password once. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const reset = await findPasswordReset(params.token ?? "");
  if (!reset) return invalidLink();
  const { token, setCookie } = await loginFormToken(request);
  return data(
    { valid: true as const, email: reset.email, csrf: token, minLength: MIN_PASSWORD_LENGTH },
    setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined,
  );
}

const NewPassword = z.object({
  intent: z.literal("set-password"),
  newPassword: z.string().min(1).max(1024),
  confirmPassword: z.string().max(1024),
});

export async function action({ request, params }: ActionFunctionArgs) {
  checkSameOrigin(request);
  const token = params.token ?? "";
  if (!(await findPasswordReset(token))) return invalidLink();
  const form = await readForm(request);
  await checkLoginFormToken(request, form);
  const parsed = NewPassword.safeParse(Object.fromEntries(form));
  if (!parsed.success) return formError("Fill in the new password twice.");
  if (parsed.data.newPassword !== parsed.data.confirmPassword)
    return formError("The new passwords do not match.");
  return attempt(async () => {
    const { email } = await completePasswordReset({ token, newPassword: parsed.data.newPassword });
    // The link came from an admin: this browser is now trusted for the account, so an attacker
    // guessing the account elsewhere cannot keep its owner out of the sign-in that follows.
    throw redirect("/admin/login?passwordReset=1", {
      headers: { "Set-Cookie": await trustDevice(request, accountKey(email)) },
    });
  });
}

export default function PasswordReset() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  if (!page.valid) {
    return (
      <div className="sign-in">
        <h1>Set a new password</h1>
        <Notice kind="error">{page.error}</Notice>
      </div>
    );
  }
  return (
    <div className="sign-in">
      <h1>Set a new password</h1>
      <p className="muted">
        {`For ${page.email}. The link works once; setting the password signs this account out everywhere.`}
      </p>
      {result && "error" in result ? <Notice kind="error">{result.error}</Notice> : null}
      <Form method="post" className="stack">
        <input type="hidden" name="csrf" value={page.csrf} />
        <input type="hidden" name="intent" value="set-password" />
        <input type="text" name="username" value={page.email} autoComplete="username" hidden readOnly />
        <label>
          New password
          <input
            type="password"
            name="newPassword"
            autoComplete="new-password"
            minLength={page.minLength}
            required
          />
        </label>
        <label>
          Repeat the new password
          <input type="password" name="confirmPassword" autoComplete="new-password" required />
        </label>
        <button type="submit" className="button-primary">
          Set password
        </button>
      </Form>
    </div>
  );
}
