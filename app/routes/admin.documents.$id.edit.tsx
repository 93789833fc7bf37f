import { type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { documentFromParams } from "~/auth/params.server";
import { requireUser } from "~/auth/session.server";
import { PolicyEditor } from "~/components/admin-editor/policy-editor";
import { CsrfField, formatDateTime, PageHeader, StateBadge, useAdminUser } from "~/components/admin-ui";
import { listReviewComments } from "~/models/review.server";
import { getOpenVersion } from "~/models/versions.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Edit ${data.document.title} · Redline` : "Edit · Redline" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "editor" });
  const document = await documentFromParams(params);
  const open = await getOpenVersion(document.id);
  if (open?.state !== "draft") throw redirect(`/admin/documents/${document.id}`);
  const comments = (await listReviewComments(open.id)).filter((c) => c.kind === "sent-back");
  return {
    document: { id: document.id, title: document.title, slug: document.slug, locale: document.locale },
    version: { number: open.number, revision: open.revision, state: open.state, content: open.content },
    comments,
  };
}

export default function EditDraft() {
  const { document, version, comments } = useLoaderData<typeof loader>();
  const user = useAdminUser();
  const [saved, setSaved] = useState({ revision: version.revision, clean: true });
  const base = `/admin/documents/${document.id}`;
  return (
    <>
      <PageHeader title={document.title}>
        <Link to={base} className="button">
          Back to the document
        </Link>
      </PageHeader>
      <p className="muted">
        Version {version.number} <StateBadge state={version.state} /> · <code>{document.slug}</code> ·{" "}
        {document.locale}
      </p>
      {comments.length > 0 ? (
        <aside className="notice notice-warning" aria-label="Sent back">
          <strong>Sent back by {comments[0].authorEmail}</strong> ({formatDateTime(comments[0].createdAt)}):
          <p>{comments[0].body}</p>
        </aside>
      ) : null}
      <PolicyEditor
        // A new revision from the server (e.g. after "Load their version") starts a fresh editor.
        key={`${document.id}:${version.number}:${version.revision}`}
        documentId={document.id}
        versionNumber={version.number}
        initialContent={version.content}
        initialRevision={version.revision}
        csrfToken={user?.csrfToken ?? ""}
        saveUrl={`${base}/draft`}
        currentDraftUrl={`${base}/versions/${version.number}`}
        signInUrl={`/admin/login?redirectTo=${encodeURIComponent(`${base}/edit`)}`}
        onRevision={(revision, clean) => setSaved({ revision, clean })}
      />
      <Form method="post" action={`${base}?index`} className="submit-bar">
        <CsrfField />
        <input type="hidden" name="revision" value={saved.revision} />
        <p className="muted">
          {saved.clean
            ? "When the draft is ready, send it to an approver. It cannot be edited while in review."
            : "Wait until your changes are saved before submitting."}
        </p>
        <button
          type="submit"
          name="intent"
          value="submit-for-review"
          className="button-primary"
          disabled={!saved.clean}
        >
          Submit for review
        </button>
      </Form>
    </>
  );
}
