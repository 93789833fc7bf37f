import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { attempt, formError } from "~/auth/errors.server";
import { ROLE_LABELS } from "~/auth/roles";
import { requireUser, requireUserForm } from "~/auth/session.server";
import { passRetryAfter, tooManyAttempts } from "~/auth/throttle.server";
import { CsrfField, Notice, PageHeader } from "~/components/admin-ui";
import { changeOwnPassword, checkNewPassword, WrongPasswordError } from "~/models/accounts.server";
import { passwordCheckKeys, reserveAttempt, settleAttempt } from "~/models/login-throttle.server";
import { MIN_PASSWORD_LENGTH } from "~/models/users.server";

export const meta: MetaFunction = () => [{ title: "Your account · Redline" }];
export const headers: HeadersFunction = passRetryAfter;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { role: "viewer" });
  return { email: user.email, role: user.role, minLength: MIN_PASSWORD_LENGTH };
}

const ChangePassword = z.object({
  intent: z.literal("change-password"),
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(1).max(1024),
  confirmPassword: z.string().max(1024),
});

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "viewer" });
  const parsed = ChangePassword.safeParse(Object.fromEntries(form));
  if (!parsed.success) return formError("Fill in every field.");
  if (parsed.data.newPassword !== parsed.data.confirmPassword)
    return formError("The new passwords do not match.");
  return attempt(async () => {
    checkNewPassword(parsed.data.newPassword);
    // A stolen session must not become a way to guess the password: the check is throttled like
    // sign-in, reserved before it runs (ADR 10).
    const decision = await reserveAttempt(passwordCheckKeys(user.email));
    if (!decision.allowed) {
      return tooManyAttempts("Too many wrong current passwords.", decision.retryAfterSeconds);
    }
    try {
      const { otherSessionsEnded } = await changeOwnPassword({
        userId: user.id,
        currentPassword: parsed.data.currentPassword,
        newPassword: parsed.data.newPassword,
        keepSessionId: user.sessionId,
      });
      await settleAttempt(decision.attempt);
      return { ok: true as const, otherSessionsEnded };
    } catch (error) {
      // Only a wrong current password stays counted; any other refusal came after a right one.
      if (!(error instanceof WrongPasswordError)) await settleAttempt(decision.attempt);
      throw error;
    }
  });
}

export default function Account() {
  const { email, role, minLength } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Your account" />
      <p>
        {email} · {ROLE_LABELS[role]}
      </p>
      <section className="panel narrow">
        <h2>Change password</h2>
        {result && !result.ok ? <Notice kind="error">{result.error}</Notice> : null}
        {result?.ok ? (
          <Notice kind="success">
            Password changed. {result.otherSessionsEnded} other session
            {result.otherSessionsEnded === 1 ? " was" : "s were"} signed out.
          </Notice>
        ) : null}
        <Form method="post" className="stack">
          <CsrfField />
          <label>
            Current password
            <input type="password" name="currentPassword" autoComplete="current-password" required />
          </label>
          <label>
            New password
            <input
              type="password"
              name="newPassword"
              autoComplete="new-password"
              minLength={minLength}
              required
            />
          </label>
          <label>
            Repeat the new password
            <input type="password" name="confirmPassword" autoComplete="new-password" required />
          </label>
          <button type="submit" name="intent" value="change-password" className="button-primary">
            Change password
          </button>
        </Form>
      </section>
    </>
  );
}
