import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { can } from "~/auth/roles";
import { requireUser, requireUserForm } from "~/auth/session.server";
import { CsrfField, formatDateTime, Notice, PageHeader, useCan } from "~/components/admin-ui";
import { SubscriberUpload } from "~/components/admin-ui/subscriber-upload";
import { ATTRIBUTE_NAME_PATTERN, MAX_ATTRIBUTE_VALUE_LENGTH } from "~/core/notify/audience";
import { SUBSCRIBER_STATUSES, type SubscriberStatus } from "~/core/notify/statuses";
import { BODY_LIMITS, describeBytes } from "~/http/body.server";
import { searchSubscribers } from "~/models/proof.server";
import { erasePublicSubscriber, publicSubscriptionCounts } from "~/models/public-subscriptions.server";
import { attributeCatalog } from "~/models/subscribers.server";

export const meta: MetaFunction = () => [{ title: "Subscribers · Redline" }];

const PAGE = 50;

/** The attribute filter as the form sends it, "name=value"; anything else is no filter. */
function attributeFilter(text: string): { name: string; value: string } | undefined {
  const index = text.indexOf("=");
  if (index < 0) return undefined;
  const name = text.slice(0, index);
  const value = text.slice(index + 1);
  if (!ATTRIBUTE_NAME_PATTERN.test(name) || value.length > MAX_ATTRIBUTE_VALUE_LENGTH) return undefined;
  return { name, value };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { role: "viewer" });
  const url = new URL(request.url);
  const query = (url.searchParams.get("q") ?? "").slice(0, 254);
  const statusParam = url.searchParams.get("status") ?? "";
  const status = (SUBSCRIBER_STATUSES as readonly string[]).includes(statusParam)
    ? (statusParam as SubscriberStatus)
    : undefined;
  const attribute = attributeFilter((url.searchParams.get("attribute") ?? "").slice(0, 400));
  const after = (url.searchParams.get("after") ?? "").slice(0, 128);
  const [subscribers, attributes] = await Promise.all([
    searchSubscribers({ query, status, attribute, after, limit: PAGE + 1 }),
    attributeCatalog(),
  ]);
  return {
    publicCounts: await publicSubscriptionCounts(),
    query,
    status: status ?? "",
    attribute: attribute ? `${attribute.name}=${attribute.value}` : "",
    attributes,
    subscribers: subscribers.slice(0, PAGE),
    next: subscribers.length > PAGE ? subscribers[PAGE - 1].externalId : null,
    upload: can(user.role, "importSubscribers") ? describeBytes(BODY_LIMITS.subscriberCsv) : null,
  };
}

const ErasePublic = z.object({ intent: z.literal("erase-public"), email: z.email().max(254) });

/** Erasing a public subscriber's address (ADR 0029): admins, like every erasure. */
export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "admin" });
  const parsed = ErasePublic.safeParse(Object.fromEntries(form));
  if (!parsed.success)
    return data({ ok: false as const, error: "Give a valid email address." }, { status: 400 });
  const erased = await erasePublicSubscriber({
    email: parsed.data.email,
    actor: { kind: "user", id: user.id },
  });
  return { ok: true as const, erased: erased.subscriptions };
}

export default function Subscribers() {
  const { publicCounts, query, status, attribute, attributes, subscribers, next, upload } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const isAdmin = useCan("manageApiKeys");
  // The filter in use stays offered even when no active subscriber has that value any more.
  const offered = attributes.some(({ name, values }) =>
    values.some((v) => `${name}=${v.value}` === attribute),
  );
  return (
    <>
      <PageHeader title="Subscribers">
        <Link to="/admin/acknowledgements">Acknowledgements</Link>
        {isAdmin ? <Link to="/admin/embed">Dashboard banner</Link> : null}
      </PageHeader>
      <p className="muted">
        The product's users who receive notices. Open one to see the proof of every notice sent to them.
      </p>
      {upload ? <SubscriberUpload limitText={upload} /> : null}
      <Form method="get" className="form-row" role="search">
        <label>
          Search email, name or externalId
          <input name="q" type="search" defaultValue={query} maxLength={254} />
        </label>
        <label>
          Status
          <select name="status" defaultValue={status}>
            <option value="">any</option>
            {SUBSCRIBER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Attribute
          <select name="attribute" defaultValue={attribute}>
            <option value="">any</option>
            {attribute && !offered ? <option value={attribute}>{attribute.replace("=", ": ")}</option> : null}
            {attributes.map(({ name, values }) => (
              <optgroup key={name} label={name}>
                {values.map((v) => (
                  <option key={v.value} value={`${name}=${v.value}`}>
                    {name}: {v.value} ({v.subscribers})
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        <button type="submit" className="button">
          Search
        </button>
      </Form>
      {subscribers.length === 0 ? (
        <p>No subscribers match.</p>
      ) : (
        <table className="table" aria-label="Subscribers">
          <thead>
            <tr>
              <th>externalId</th>
              <th>Email</th>
              <th>Name</th>
              <th>Status</th>
              <th>Undelivered emails</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {subscribers.map((s) => (
              <tr key={s.externalId}>
                <td>
                  <Link to={`/admin/subscribers/${encodeURIComponent(s.externalId)}`}>{s.externalId}</Link>
                </td>
                <td>{s.email ?? "—"}</td>
                <td>{s.name ?? "—"}</td>
                <td>
                  {s.status}
                  {s.statusReason ? <span className="muted"> ({s.statusReason})</span> : null}
                </td>
                <td>{s.undeliveredEmails > 0 ? <strong>{s.undeliveredEmails}</strong> : 0}</td>
                <td>{formatDateTime(s.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next ? (
        <p>
          <Link to={`?${new URLSearchParams({ q: query, status, attribute, after: next })}`}>Next page</Link>
        </p>
      ) : null}
      <section aria-labelledby="public-subscribers">
        <h2 id="public-subscribers">Public subscribers</h2>
        <p className="muted">
          People without an account who confirmed on a public policy page that they want an email when it
          changes. Counted apart from the product's users; they receive update emails, never notices to
          acknowledge.
        </p>
        <p>
          <strong>{publicCounts.total}</strong> confirmed: {publicCounts.all} for every version,{" "}
          {publicCounts.material} for material changes only.
        </p>
        {publicCounts.documents.length > 0 ? (
          <ul>
            {publicCounts.documents.map((d) => (
              <li key={`${d.slug}:${d.locale}`}>
                {d.slug} ({d.locale}): {d.all} every version, {d.material} material only
              </li>
            ))}
          </ul>
        ) : null}
        {isAdmin ? (
          <Form method="post" className="form-row">
            <CsrfField />
            <input type="hidden" name="intent" value="erase-public" />
            <label>
              Erase a public subscriber (email)
              <input name="email" type="email" required maxLength={254} />
            </label>
            <button type="submit" className="button">
              Erase
            </button>
          </Form>
        ) : null}
        {result ? (
          result.ok ? (
            <Notice kind="success">
              Erased {result.erased} public subscription{result.erased === 1 ? "" : "s"} of that address.
            </Notice>
          ) : (
            <Notice kind="error">{result.error}</Notice>
          )
        ) : null}
      </section>
    </>
  );
}
