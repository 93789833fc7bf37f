import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { attempt, formError } from "~/auth/errors.server";
import { ROLE_LABELS, ALL_ROLES as ROLES } from "~/auth/roles";
import { requireUser, requireUserForm } from "~/auth/session.server";
import { CsrfField, formatDateTime, Notice, PageHeader } from "~/components/admin-ui";
import { changeRole, listUsers } from "~/models/accounts.server";
import { createUser, generatePassword } from "~/models/users.server";

export const meta: MetaFunction = () => [{ title: "Users · Redline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { role: "admin" });
  return { users: await listUsers(), me: user.id };
}

const UserAction = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("add-user"),
    email: z.email().max(320),
    role: z.enum(ROLES),
    password: z.string().max(1024).optional(),
  }),
  z.object({
    intent: z.literal("change-role"),
    userId: z.coerce.number().int().positive(),
    role: z.enum(ROLES),
  }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "admin" });
  const parsed = UserAction.safeParse(Object.fromEntries(form));
  if (!parsed.success) return formError("Check the email address and role.");
  const actor = { kind: "user" as const, id: user.id };
  const input = parsed.data;
  return attempt(async () => {
    if (input.intent === "add-user") {
      const generated = input.password ? null : generatePassword();
      const created = await createUser({
        email: input.email,
        role: input.role,
        password: input.password || generated!,
        actor,
      });
      return {
        ok: true as const,
        message: `Added ${created.email} as ${created.role}.`,
        password: generated,
      };
    }
    await changeRole({ userId: input.userId, role: input.role, actor });
    return { ok: true as const, message: "Role changed.", password: null };
  });
}

export default function Users() {
  const { users, me } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Users" />
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
        </Notice>
      ) : null}
      <table className="table">
        <thead>
          <tr>
            <th>Email</th>
            <th>Role</th>
            <th>Since</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>
                {u.email}
                {u.id === me ? <span className="muted"> (you)</span> : null}
              </td>
              <td>
                <Form method="post" className="inline-form">
                  <CsrfField />
                  <input type="hidden" name="userId" value={u.id} />
                  <select name="role" defaultValue={u.role} aria-label={`Role of ${u.email}`}>
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
            </tr>
          ))}
        </tbody>
      </table>
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
