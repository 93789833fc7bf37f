import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { attempt, formError } from "~/auth/errors.server";
import { requireUser, requireUserForm } from "~/auth/session.server";
import { CsrfField, formatDateTime, Notice, PageHeader } from "~/components/admin-ui";
import {
  addEmbedOrigin,
  listEmbedOrigins,
  listEmbedSecrets,
  removeEmbedOrigin,
  rotateEmbedSecret,
} from "~/models/embed.server";

export const meta: MetaFunction = () => [{ title: "Dashboard banner · Redline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { role: "admin" });
  const [secrets, origins] = await Promise.all([listEmbedSecrets(), listEmbedOrigins()]);
  return { secrets, origins };
}

const EmbedAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("rotate-secret") }),
  z.object({ intent: z.literal("add-origin"), origin: z.string().trim().min(1).max(255) }),
  z.object({ intent: z.literal("remove-origin"), origin: z.string().trim().min(1).max(255) }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "admin" });
  const parsed = EmbedAction.safeParse(Object.fromEntries(form));
  if (!parsed.success) return formError("Unknown action, or an origin is missing.");
  const actor = { kind: "user" as const, id: user.id };
  // A refused origin comes back from attempt as a 400 with its message.
  return attempt(async () => {
    switch (parsed.data.intent) {
      case "rotate-secret": {
        // The secret is in this one response and nowhere else in clear; it is never logged.
        const { secret } = await rotateEmbedSecret({ actor });
        return { ok: true as const, secret, message: null };
      }
      case "add-origin": {
        const origin = await addEmbedOrigin({ origin: parsed.data.origin, actor });
        return { ok: true as const, secret: null, message: `${origin} may now show the banner.` };
      }
      case "remove-origin":
        await removeEmbedOrigin({ origin: parsed.data.origin, actor });
        return { ok: true as const, secret: null, message: `${parsed.data.origin} removed.` };
    }
  });
}

export default function EmbedSettings() {
  const { secrets, origins } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const live = secrets.find((s) => !s.retiredAt);
  return (
    <>
      <PageHeader title="Dashboard banner">
        <Link to="/admin/branding" className="button">
          Branding
        </Link>
      </PageHeader>
      <p className="muted">
        The banner (<code>/embed/notices.js</code>) shows pending notices in your product's dashboard. Your
        backend signs a short-lived user token with the embed secret; the API key never reaches a browser. See
        the README, "Dashboard notices".
      </p>
      {result && !result.ok ? <Notice kind="error">{result.error}</Notice> : null}
      {result?.ok && result.secret ? (
        <Notice kind="success">
          <p>New embed secret. Copy it into your backend now; it will not be shown again:</p>
          <p>
            <code className="secret" data-testid="embed-secret">
              {result.secret}
            </code>
          </p>
          {secrets.some((s) => s.retiredAt) ? (
            <p className="small">Tokens signed with the previous secret keep working for one hour.</p>
          ) : null}
        </Notice>
      ) : null}
      {result?.ok && result.message ? <Notice kind="success">{result.message}</Notice> : null}
      <section className="panel">
        <h2>Embed secret</h2>
        <p>
          {live ? (
            <>
              Current secret <code>{live.prefix}…</code>, created {formatDateTime(live.createdAt)}.
            </>
          ) : (
            "No secret yet: the banner shows nothing until you create one."
          )}
        </p>
        <p className="small muted">
          Stored encrypted with a key derived from SESSION_SECRET. If that setting changes, the banner goes
          silent until you rotate the secret here and give the new one to your backend.
        </p>
        <Form method="post">
          <CsrfField />
          <button type="submit" name="intent" value="rotate-secret" className="button-primary">
            {live ? "Rotate the secret" : "Create a secret"}
          </button>
        </Form>
      </section>
      <section className="panel">
        <h2>Allowed origins</h2>
        <p className="muted">Pages of these origins may load notices in the browser (CORS).</p>
        {origins.length === 0 ? (
          <p>None yet.</p>
        ) : (
          <ul className="plain-list">
            {origins.map((origin) => (
              <li key={origin}>
                <code>{origin}</code>{" "}
                <Form method="post" className="inline-form">
                  <CsrfField />
                  <input type="hidden" name="origin" value={origin} />
                  <button type="submit" name="intent" value="remove-origin" className="button-danger">
                    Remove
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        )}
        <Form method="post" className="form-row">
          <CsrfField />
          <label>
            Origin
            <input name="origin" required maxLength={255} placeholder="https://app.example.com" />
          </label>
          <button type="submit" name="intent" value="add-origin" className="button">
            Add origin
          </button>
        </Form>
      </section>
    </>
  );
}
