import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { attempt, formError } from "~/auth/errors.server";
import { requireUser, requireUserForm } from "~/auth/session.server";
import { CsrfField, formatDateTime, Notice, PageHeader } from "~/components/admin-ui";
import { createApiKey, listApiKeys, revokeApiKey } from "~/models/api-keys.server";

export const meta: MetaFunction = () => [{ title: "API keys · Redline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { role: "admin" });
  return { keys: await listApiKeys() };
}

const ApiKeyAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create-key"), name: z.string().trim().min(1).max(64) }),
  z.object({ intent: z.literal("revoke-key"), name: z.string().trim().min(1).max(64) }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "admin" });
  const parsed = ApiKeyAction.safeParse(Object.fromEntries(form));
  if (!parsed.success) return formError("Give the key a name.");
  const actor = { kind: "user" as const, id: user.id };
  return attempt(async () => {
    if (parsed.data.intent === "create-key") {
      const created = await createApiKey({ name: parsed.data.name, actor });
      // The key itself is in this one response and nowhere else; it is never logged.
      return { ok: true as const, created: { name: created.apiKey.name, key: created.key }, revoked: null };
    }
    await revokeApiKey({ name: parsed.data.name, actor });
    return { ok: true as const, created: null, revoked: parsed.data.name };
  });
}

export default function ApiKeys() {
  const { keys } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="API keys" />
      <p className="muted">
        Keys let your product's backend call the Redline API (<code>Authorization: Bearer …</code>). Only a
        hash is stored: a key is shown once, when it is created.
      </p>
      {result && !result.ok ? <Notice kind="error">{result.error}</Notice> : null}
      {result?.ok && result.created ? (
        <Notice kind="success">
          <p>
            Key <strong>{result.created.name}</strong> created. Copy it now; it will not be shown again:
          </p>
          <p>
            <code className="secret">{result.created.key}</code>
          </p>
        </Notice>
      ) : null}
      {result?.ok && result.revoked ? <Notice kind="success">Key {result.revoked} revoked.</Notice> : null}
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Starts with</th>
            <th>Created</th>
            <th>Last used</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{formatDateTime(k.createdAt)}</td>
              <td>{formatDateTime(k.lastUsedAt)}</td>
              <td>{k.revokedAt ? `revoked ${formatDateTime(k.revokedAt)}` : "live"}</td>
              <td>
                {k.revokedAt ? null : (
                  <Form method="post" className="inline-form">
                    <CsrfField />
                    <input type="hidden" name="name" value={k.name} />
                    <button type="submit" name="intent" value="revoke-key" className="button-danger">
                      Revoke
                    </button>
                  </Form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <section className="panel">
        <h2>New API key</h2>
        <Form method="post" className="form-row">
          <CsrfField />
          <label>
            Key name
            <input name="name" required maxLength={64} placeholder="product-backend" />
          </label>
          <button type="submit" name="intent" value="create-key" className="button-primary">
            Create key
          </button>
        </Form>
      </section>
    </>
  );
}
