import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { attempt, formError } from "~/auth/errors.server";
import { ROLE_LABELS, ALL_ROLES as ROLES } from "~/auth/roles";
import { requireUser, requireUserForm } from "~/auth/session.server";
import { CsrfField, formatDateTime, Notice, PageHeader } from "~/components/admin-ui";
import { getEnv } from "~/env.server";
import { changeRole, deactivateUser, listUsers, reactivateUser } from "~/models/accounts.server";
import { accountThrottles, liftSignInLimits } from "~/models/login-throttle.server";
import { issuePasswordReset, PASSWORD_RESET_PATH } from "~/models/password-resets.server";
import { createUser, generatePassword } from "~/models/users.server";

export const meta: MetaFunction = () => [{ title: "Users · Redline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { role: "admin" });
  const people = await listUsers();
  const throttles = await accountThrottles(people.map((p) => p.email));
  return {
    users: people.map((p) => ({ ...p, signIn: throttles.get(p.email) ?? null })),
    me: user.id,
  };
}

const userId = z.coerce.number().int().positive();

const UserAction = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("add-user"),
    email: z.email().max(320),
    role: z.enum(ROLES),
    password: z.string().max(1024).optional(),
  }),
  z.object({ intent: z.literal("change-role"), userId, role: z.enum(ROLES) }),
  z.object({ intent: z.literal("deactivate"), userId }),
  z.object({ intent: z.literal("reactivate"), userId }),
  z.object({ intent: z.literal("issue-reset-link"), userId }),
  z.object({ intent: z.literal("lift-limits"), userId }),
]);

type Done = { ok: true; message: string; password?: string | null; resetLink?: string | null };

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "admin" });
  const parsed = UserAction.safeParse(Object.fromEntries(form));
  if (!parsed.success) return formError("Check the email address and role.");
  const actor = { kind: "user" as const, id: user.id };
  const input = parsed.data;
  return attempt(async (): Promise<Done> => {
    switch (input.intent) {
      case "add-user": {
        const generated = input.password ? null : generatePassword();
        const created = await createUser({
          email: input.email,
          role: input.role,
          password: input.password || generated!,
          actor,
        });
        return { ok: true, message: `Added ${created.email} as ${created.role}.`, password: generated };
      }
      case "change-role":
        await changeRole({ userId: input.userId, role: input.role, actor });
        return { ok: true, message: "Role changed." };
      case "deactivate": {
        const { email, sessionsEnded } = await deactivateUser({ userId: input.userId, actor });
        return {
          ok: true,
          message: `Deactivated ${email}: they cannot sign in, and ${sessionsEnded} session${sessionsEnded === 1 ? " was" : "s were"} ended.`,
        };
      }
      case "reactivate": {
        const { email } = await reactivateUser({ userId: input.userId, actor });
        return { ok: true, message: `Reactivated ${email}: they can sign in again.` };
      }
      case "issue-reset-link": {
        const { token, email, expiresAt } = await issuePasswordReset({ userId: input.userId, actor });
        return {
          ok: true,
          message: `Give this link to ${email}. It sets a new password once, until ${formatDateTime(expiresAt.toISOString())}, and signs them out everywhere.`,
          resetLink: `${getEnv().PUBLIC_BASE_URL}${PASSWORD_RESET_PATH}/${token}`,
        };
      }
      case "lift-limits": {
        await liftSignInLimits({ userId: input.userId, actor });
        return { ok: true, message: "Sign-in limits lifted: their next attempts are not delayed." };
      }
    }
  });
}

function signInSummary({
  failures,
  blockedUntil,
}: {
  failures: number;
  blockedUntil: string | null;
}): string {
  const attempts = `${failures} failed attempt${failures === 1 ? "" : "s"}`;
  return blockedUntil ? `${attempts}; new attempts wait until ${formatDateTime(blockedUntil)}` : attempts;
}

export default function Users() {
  const { users, me } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  // Each answer of the action gives the role selects a fresh start from the stored roles: after a
  // refused change (the last admin) the select must not keep showing the role that was refused.
  const [answers, setAnswers] = useState(0);
  useEffect(() => {
    if (result) setAnswers((n) => n + 1);
  }, [result]);
  return (
    <>
      {/* The organisation's branding is an admin's setting too; the navigation has no room left at 1280 px. */}
      <PageHeader title="Users">
        <Link to="/admin/branding" className="button">
          Branding
        </Link>
      </PageHeader>
      {result && !result.ok ? <Notice kind="error">{result.error}</Notice> : null}
      {result?.ok ? (
        <Notice kind="success">
          {result.message}
          {result.password ? (
            <>
              {" "}
              Their password, shown only now: <code className="secret">{result.password}</code>
            </>
          ) : null}
          {result.resetLink ? (
            <>
              {" "}
              Shown only now: <code className="secret">{result.resetLink}</code>
            </>
          ) : null}
        </Notice>
      ) : null}
      <table className="table">
        <thead>
          <tr>
            <th>Email</th>
            <th>Role</th>
            <th>Since</th>
            <th>Sign-in</th>
            <th>Access</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} className={u.deactivatedAt ? "muted" : undefined}>
              <td>
                {u.email}
                {u.id === me ? <span className="muted"> (you)</span> : null}
                {u.oidcSubject ? (
                  <>
                    {" "}
                    <span
                      className="badge"
                      title="Role set by the identity provider's groups at every sign-in"
                    >
                      Single sign-on
                    </span>
                  </>
                ) : null}
                {u.breakGlass ? (
                  <>
                    {" "}
                    <span
                      className="badge"
                      title="May sign in with a password when passwords are off; every use is audited"
                    >
                      Break-glass
                    </span>
                  </>
                ) : null}
                {u.deactivatedAt ? (
                  <>
                    {" "}
                    <span className="badge badge-deactivated">Deactivated</span>
                    <div className="small">since {formatDateTime(u.deactivatedAt)}</div>
                  </>
                ) : null}
              </td>
              <td>
                <Form method="post" className="inline-form">
                  <CsrfField />
                  <input type="hidden" name="userId" value={u.id} />
                  <select
                    key={`${u.role}:${answers}`}
                    name="role"
                    defaultValue={u.role}
                    aria-label={`Role of ${u.email}`}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>{" "}
                  <button type="submit" name="intent" value="change-role" className="button">
                    Change role
                  </button>
                </Form>
              </td>
              <td>{formatDateTime(u.createdAt)}</td>
              <td>
                {u.signIn ? (
                  <>
                    <span className="small">{signInSummary(u.signIn)}</span>{" "}
                    <Form method="post" className="inline-form">
                      <CsrfField />
                      <input type="hidden" name="userId" value={u.id} />
                      <button type="submit" name="intent" value="lift-limits" className="button">
                        Lift sign-in limits
                      </button>
                    </Form>
                  </>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td>
                <Form method="post" className="inline-form">
                  <CsrfField />
                  <input type="hidden" name="userId" value={u.id} />
                  {u.deactivatedAt ? (
                    <button type="submit" name="intent" value="reactivate" className="button">
                      Reactivate
                    </button>
                  ) : (
                    <>
                      <button type="submit" name="intent" value="issue-reset-link" className="button">
                        Password-reset link
                      </button>
                      {u.id === me ? null : (
                        <button type="submit" name="intent" value="deactivate" className="button-danger">
                          Deactivate
                        </button>
                      )}
                    </>
                  )}
                </Form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Deactivating someone ends their sessions at once and refuses their sign-in; what they wrote, approved
        and published stays attributed to them. A password-reset link works once, for a day, and ends all
        their sessions.
      </p>
      <section className="panel">
        <h2>Add a user</h2>
        <Form method="post" className="form-row">
          <CsrfField />
          <label>
            Email
            <input type="email" name="email" required />
          </label>
          <label>
            Role
            <select name="role" defaultValue="editor">
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <label>
            Initial password (optional)
            <input type="password" name="password" minLength={12} autoComplete="new-password" />
          </label>
          <button type="submit" name="intent" value="add-user" className="button-primary">
            Add user
          </button>
        </Form>
        <ul className="muted small">
          {ROLES.map((r) => (
            <li key={r}>{ROLE_LABELS[r]}</li>
          ))}
        </ul>
      </section>
    </>
  );
}
