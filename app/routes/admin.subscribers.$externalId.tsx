import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { attempt, formError } from "~/auth/errors.server";
import { ABILITIES } from "~/auth/roles";
import { requireUser, requireUserForm } from "~/auth/session.server";
import { CsrfField, formatDateTime, Notice, PageHeader, useCan } from "~/components/admin-ui";
import { deliveryStatusText, isCaptured, transportText } from "~/core/notify/delivery-outcome";
import { isEmailProblem } from "~/core/notify/statuses";
import { EXTERNAL_ID_PATTERN } from "~/core/notify/subscriber";
import { pendingNoticesFor } from "~/models/acknowledgements.server";
import { getProofLedger } from "~/models/proof.server";
import { eraseSubscriber, getSubscriberRecord } from "~/models/subscribers.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.ledger.externalId ?? "Subscriber"} · Redline` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  const externalId = params.externalId ?? "";
  if (!EXTERNAL_ID_PATTERN.test(externalId)) throw new Response("No such subscriber.", { status: 404 });
  const [record, ledger, pending] = await Promise.all([
    getSubscriberRecord(externalId),
    getProofLedger(externalId),
    pendingNoticesFor(externalId),
  ]);
  if (!record || !ledger) throw new Response("No such subscriber.", { status: 404 });
  return {
    profile: record.subscriber,
    ledger,
    pending: pending ?? [],
    acknowledgements: record.acknowledgements,
  };
}

const EraseAction = z.object({ intent: z.literal("erase"), confirm: z.string().max(200) });

/**
 * Erases the subscriber's personal data (the same erasure as DELETE /api/v1/subscribers/:externalId,
 * recorded in the audit log). Final, so the form asks for the externalId to be typed again.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: ABILITIES.eraseSubscribers });
  const externalId = params.externalId ?? "";
  if (!EXTERNAL_ID_PATTERN.test(externalId)) throw new Response("No such subscriber.", { status: 404 });
  const parsed = EraseAction.safeParse(Object.fromEntries(form));
  if (!parsed.success) return formError("Check the form: choose Erase personal data");
  if (parsed.data.confirm.trim() !== externalId) {
    return formError(`Type the externalId ${externalId} to confirm the erasure; nothing was erased`);
  }
  return attempt(async () => {
    await eraseSubscriber({ externalId, actor: { kind: "user", id: user.id }, via: "workspace" });
    return redirect(`/admin/subscribers/${encodeURIComponent(externalId)}?erased=1`);
  });
}

export default function SubscriberPage() {
  const { profile, ledger, pending, acknowledgements } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [search] = useSearchParams();
  const mayErase = useCan("eraseSubscribers");
  return (
    <>
      <PageHeader title={`Subscriber ${ledger.externalId}`}>
        <Link to="/admin/subscribers">All subscribers</Link>
      </PageHeader>
      {search.get("erased") === "1" && profile.status === "erased" ? (
        <Notice kind="success">
          Personal data erased. The record of the notices sent stays, without the address.
        </Notice>
      ) : null}
      <section className="panel" aria-label="Profile">
        <h2>Profile</h2>
        <dl className="stack">
          <dt>Status</dt>
          <dd>
            {profile.status}
            {profile.statusReason ? ` (${profile.statusReason})` : ""}
            {profile.erasedAt ? ` · erased ${formatDateTime(profile.erasedAt)}` : ""}
          </dd>
          <dt>Email</dt>
          <dd>{profile.email ?? "—"}</dd>
          <dt>Name</dt>
          <dd>{profile.name ?? "—"}</dd>
          <dt>Locale</dt>
          <dd>{profile.locale}</dd>
          <dt>Attributes</dt>
          <dd>{profile.attributes ? <code>{JSON.stringify(profile.attributes)}</code> : "—"}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(profile.createdAt)}</dd>
        </dl>
      </section>
      <section className="panel" aria-label="Pending notices">
        <h2>Pending on the dashboard</h2>
        {pending.length === 0 ? (
          <p>Nothing pending.</p>
        ) : (
          <ul className="plain-list">
            {pending.map((p) => (
              <li key={p.id} data-pending-notice={p.id}>
                Notice #{p.id}: {p.document} ({p.locale}) version {p.version}
                {p.requiresAck ? " · acknowledgement required" : ""}
                {p.emailUndelivered ? (
                  <>
                    {" "}
                    <span className="badge badge-material">email undelivered — dashboard only</span>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-label="Proof of notice">
        <h2>Proof of notice</h2>
        <p className="muted">
          Every notice addressed to this person. Delivery outcomes and acknowledgements are also recorded in
          the hash-chained audit log (<code>redline audit verify</code>).
        </p>
        {ledger.notices.length === 0 ? (
          <p>No notices yet.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Notice</th>
                <th>Version</th>
                <th>Channel</th>
                <th>Status</th>
                <th>Transport</th>
                <th>Provider message id</th>
                <th>Sent or captured</th>
                <th>Status since</th>
                <th>Acknowledged</th>
              </tr>
            </thead>
            <tbody>
              {ledger.notices.flatMap((entry) =>
                entry.deliveries.map((d, i) => (
                  <tr
                    key={`${entry.noticeId}-${d.channel}`}
                    data-notice={entry.noticeId}
                    data-channel={d.channel}
                  >
                    {i === 0 ? (
                      <>
                        <td rowSpan={entry.deliveries.length}>
                          <Link to={`/admin/acknowledgements/${entry.noticeId}`}>#{entry.noticeId}</Link>
                          {entry.requiresAck ? (
                            <div className="small muted">acknowledgement required</div>
                          ) : null}
                        </td>
                        <td rowSpan={entry.deliveries.length}>
                          {entry.document} ({entry.locale}) v{entry.version}
                        </td>
                      </>
                    ) : null}
                    <td>{d.channel}</td>
                    <td data-status={d.status}>
                      {isCaptured(d.transport) ? (
                        <span className="badge badge-captured">
                          {deliveryStatusText(d.status, d.transport)}
                        </span>
                      ) : (
                        d.status
                      )}
                      {d.channel === "email" && isEmailProblem(d.status) && !entry.acknowledgement ? (
                        <div>
                          <span className="badge badge-material">dashboard notice stays pending</span>
                        </div>
                      ) : null}
                    </td>
                    <td data-transport={d.transport ?? ""}>
                      {d.channel === "email" ? transportText(d.transport, d.sentAt !== null) : "—"}
                    </td>
                    <td>{d.providerMessageId ? <code>{d.providerMessageId}</code> : "—"}</td>
                    <td>{formatDateTime(d.sentAt)}</td>
                    <td>{formatDateTime(d.statusAt)}</td>
                    {i === 0 ? (
                      <td
                        rowSpan={entry.deliveries.length}
                        data-acknowledged={entry.acknowledgement ? "yes" : "no"}
                      >
                        {entry.acknowledgement
                          ? `${formatDateTime(entry.acknowledgement.acknowledgedAt)} via ${entry.acknowledgement.channel}${
                              entry.acknowledgement.version !== entry.version
                                ? ` (version ${entry.acknowledgement.version})`
                                : ""
                            }`
                          : "not yet"}
                      </td>
                    ) : null}
                  </tr>
                )),
              )}
            </tbody>
          </table>
        )}
      </section>
      <section className="panel" aria-label="Acknowledgements">
        <h2>Acknowledgements</h2>
        {acknowledgements.length === 0 ? (
          <p>No acknowledgements yet.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Document</th>
                <th>Version</th>
                <th>Notice</th>
                <th>Channel</th>
                <th>Acknowledged</th>
              </tr>
            </thead>
            <tbody>
              {acknowledgements.map((a) => (
                <tr key={`${a.document}-${a.locale}-${a.version}-${a.acknowledgedAt}`}>
                  <td>
                    {a.document} ({a.locale})
                  </td>
                  <td>{a.version}</td>
                  <td>
                    {a.noticeId ? (
                      <Link to={`/admin/acknowledgements/${a.noticeId}`}>#{a.noticeId}</Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>{a.channel}</td>
                  <td>{formatDateTime(a.acknowledgedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {mayErase && profile.status !== "erased" ? (
        <section className="panel stack" aria-label="Erase personal data">
          <h2>Erase personal data</h2>
          <p className="help" id="erase-help">
            Erasure removes the email address, name and attributes, for good: this externalId can never be
            given personal data again. The record of the notices sent and acknowledged stays, without the
            address, as proof. It is recorded in the audit log.
          </p>
          {result && !result.ok ? <Notice kind="error">{result.error}</Notice> : null}
          {/* Open again after a refused confirmation, so the field is where the person left it. */}
          <details open={result && !result.ok ? true : undefined}>
            <summary>Erase this subscriber…</summary>
            <Form method="post" className="stack">
              <CsrfField />
              <label>
                Type {profile.externalId} to confirm
                <input name="confirm" autoComplete="off" required aria-describedby="erase-help" />
              </label>
              <button type="submit" name="intent" value="erase" className="button-danger">
                Erase personal data
              </button>
            </Form>
          </details>
        </section>
      ) : null}
    </>
  );
}
