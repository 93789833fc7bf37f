import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/session.server";
import { formatDateTime, PageHeader, useCan } from "~/components/admin-ui";
import { SUBSCRIBER_STATUSES, type SubscriberStatus } from "~/core/notify/statuses";
import { searchSubscribers } from "~/models/proof.server";

export const meta: MetaFunction = () => [{ title: "Subscribers · Redline" }];

const PAGE = 50;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  const url = new URL(request.url);
  const query = (url.searchParams.get("q") ?? "").slice(0, 254);
  const statusParam = url.searchParams.get("status") ?? "";
  const status = (SUBSCRIBER_STATUSES as readonly string[]).includes(statusParam)
    ? (statusParam as SubscriberStatus)
    : undefined;
  const after = (url.searchParams.get("after") ?? "").slice(0, 128);
  const subscribers = await searchSubscribers({ query, status, after, limit: PAGE + 1 });
  return {
    query,
    status: status ?? "",
    subscribers: subscribers.slice(0, PAGE),
    next: subscribers.length > PAGE ? subscribers[PAGE - 1].externalId : null,
  };
}

export default function Subscribers() {
  const { query, status, subscribers, next } = useLoaderData<typeof loader>();
  const isAdmin = useCan("manageApiKeys");
  return (
    <>
      <PageHeader title="Subscribers">
        <Link to="/admin/acknowledgements">Acknowledgements</Link>
        {isAdmin ? <Link to="/admin/embed">Dashboard banner</Link> : null}
      </PageHeader>
      <p className="muted">
        The product's users who receive notices. Open one to see the proof of every notice sent to them.
      </p>
      <Form method="get" className="form-row" role="search">
        <label>
          externalId (prefix) or email
          <input name="q" defaultValue={query} maxLength={254} />
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
        <button type="submit" className="button">
          Search
        </button>
      </Form>
      {subscribers.length === 0 ? (
        <p>No subscribers match.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>externalId</th>
              <th>Email</th>
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
          <Link to={`?${new URLSearchParams({ q: query, status, after: next })}`}>Next page</Link>
        </p>
      ) : null}
    </>
  );
}
