import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/session.server";
import { formatDateTime, Notice, PageHeader } from "~/components/admin-ui";
import type { CapturedMessage } from "~/notify/mail-server.server";

export const meta: MetaFunction = () => [{ title: "Captured mail · Redline" }];

const PAGE = 50;

/**
 * The mail the bundled server captured (only when Redline runs without RESEND_API_KEY). Read over
 * the server's own HTTP listing, so it shows exactly what the SDK sent.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, { role: "admin" });
  const { captureUrl, label } = context.services.mail;
  if (!captureUrl)
    return { bundled: false as const, transport: label, total: 0, messages: [], selected: null, offset: 0 };
  const url = new URL(request.url);
  const offset = Math.max(0, Number(url.searchParams.get("offset")) || 0);
  const id = url.searchParams.get("id");
  const list = (await (
    await fetch(`${captureUrl}/_mail/messages?limit=${PAGE}&offset=${offset}`)
  ).json()) as {
    total: number;
    data: CapturedMessage[];
  };
  let selected: (Omit<CapturedMessage, "html"> & { hasHtml: boolean }) | null = null;
  if (id && /^[\w-]+$/.test(id)) {
    const response = await fetch(`${captureUrl}/_mail/messages/${id}`);
    if (response.ok) {
      // The HTML part is framed from its own address (admin.notices.mail_.$id.html.ts), under its own policy.
      const { html, ...message } = (await response.json()) as CapturedMessage;
      selected = { ...message, hasHtml: Boolean(html) };
    }
  }
  return {
    bundled: true as const,
    transport: label,
    total: list.total,
    messages: list.data.map(({ html: _html, text: _text, ...m }) => m),
    selected,
    offset,
  };
}

export default function CapturedMail() {
  const { bundled, transport, total, messages, selected, offset } = useLoaderData<typeof loader>();
  if (!bundled) {
    return (
      <>
        <PageHeader title="Captured mail" />
        <Notice kind="info">Email goes out through {transport}: nothing is captured here.</Notice>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Captured mail">
        <Link to="/admin/notices">Notices</Link>
      </PageHeader>
      <p className="muted">
        Email is captured: Redline sends through a Resend-compatible capture server (its own, bundled, unless
        RESEND_BASE_URL names another), which keeps the mail in memory until it stops and delivers none of it.{" "}
        {total} messages.
      </p>
      {selected ? (
        <section className="panel" aria-label="Message">
          <h2>{selected.subject}</h2>
          <p>
            To {selected.to.join(", ")} · from {selected.from} · {formatDateTime(selected.receivedAt)} · key{" "}
            <code>{selected.idempotencyKey ?? "none"}</code>
          </p>
          {selected.hasHtml ? (
            <iframe
              title="HTML part"
              sandbox=""
              src={`/admin/notices/mail/${selected.id}/html`}
              className="mail-preview"
            />
          ) : null}
          <h3>Plain text</h3>
          <pre className="mail-text">{selected.text}</pre>
        </section>
      ) : null}
      <table className="table">
        <thead>
          <tr>
            <th>Received</th>
            <th>To</th>
            <th>Subject</th>
            <th>Idempotency key</th>
          </tr>
        </thead>
        <tbody>
          {messages.map((m) => (
            <tr key={m.id}>
              <td>{formatDateTime(m.receivedAt)}</td>
              <td>{m.to.join(", ")}</td>
              <td>
                <Link to={`?id=${m.id}&offset=${offset}`}>{m.subject}</Link>
              </td>
              <td>
                <code>{m.idempotencyKey}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {offset > 0 ? <Link to={`?offset=${Math.max(0, offset - PAGE)}`}>Newer</Link> : null}{" "}
        {offset + PAGE < total ? <Link to={`?offset=${offset + PAGE}`}>Older</Link> : null}
      </p>
    </>
  );
}
