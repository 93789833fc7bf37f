import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { attempt, formError } from "~/auth/errors.server";
import { documentFromParams } from "~/auth/params.server";
import { requireUser, requireUserForm } from "~/auth/session.server";
import {
  CsrfField,
  formatDateTime,
  Notice,
  PageHeader,
  PrintButton,
  useCan,
  VersionBadge,
} from "~/components/admin-ui";
import { PolicyHtml } from "~/components/policy-html";
import { formatLongDate } from "~/core/dates";
import { parsePositiveInteger } from "~/core/identifiers";
import { isPublishedState } from "~/core/versions/workflow";
import { lastDraftSave, startDraft } from "~/models/drafts.server";
import { publicStatusOf } from "~/models/history.server";
import { getOpenVersion, getVersion } from "~/models/versions.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.document.title}, version ${data.version.number} · Redline` : "Version · Redline" },
];

async function versionFromParams(params: LoaderFunctionArgs["params"]) {
  const document = await documentFromParams(params);
  const number = parsePositiveInteger(params.number);
  const version = number ? await getVersion({ documentId: document.id, number }) : undefined;
  if (!version) throw new Response("There is no such version.", { status: 404 });
  return { document, version };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "viewer" });
  const { document, version } = await versionFromParams(params);
  const open = await getOpenVersion(document.id);
  const lastSave = version.state === "draft" ? await lastDraftSave(version.id) : null;
  const publicStatus = isPublishedState(version.state)
    ? await publicStatusOf(document.id, version.number)
    : null;
  return {
    document: { id: document.id, title: document.title },
    version: {
      number: version.number,
      state: version.state,
      publicStatus,
      revision: version.revision,
      html: version.html,
      lastUpdated: version.lastUpdated,
      effectiveAt: version.effectiveAt,
      updatedAt: version.updatedAt,
    },
    lastSave,
    canRestore: !open && isPublishedState(version.state),
  };
}

const RestoreAction = z.object({ intent: z.literal("restore") });

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "editor" });
  const { document, version } = await versionFromParams(params);
  if (!RestoreAction.safeParse(Object.fromEntries(form)).success)
    return formError("That request was not understood.");
  return attempt(async () => {
    await startDraft({
      documentId: document.id,
      fromNumber: version.number,
      actor: { kind: "user", id: user.id },
    });
    return redirect(`/admin/documents/${document.id}/edit`);
  });
}

export default function VersionPage() {
  const { document, version, lastSave, canRestore } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const canWrite = useCan("writeDrafts");
  return (
    <>
      <PageHeader title={`${document.title}, version ${version.number}`}>
        <PrintButton />
        <a
          href={`/admin/documents/${document.id}/versions/${version.number}/pdf`}
          className="button"
          download
        >
          Download PDF
        </a>
        <Link to={`/admin/documents/${document.id}/history`} className="button">
          History
        </Link>
      </PageHeader>
      <p className="muted">
        <VersionBadge state={version.state} publicStatus={version.publicStatus} /> · revision{" "}
        {version.revision}
        {version.lastUpdated ? <> · last updated {formatLongDate(version.lastUpdated)}</> : null}
        {version.effectiveAt ? <> · effective {formatLongDate(version.effectiveAt)}</> : null}
        {lastSave ? (
          <>
            {" "}
            · saved by {lastSave.email} on {formatDateTime(lastSave.at)}
          </>
        ) : null}
      </p>
      {result && !result.ok ? <Notice kind="error">{result.error}</Notice> : null}
      {canRestore && canWrite ? (
        <Form method="post" className="panel">
          <CsrfField />
          <p>Restoring makes a new draft with this version's text; the published history is not changed.</p>
          <button type="submit" name="intent" value="restore" className="button">
            Restore as a new draft
          </button>
        </Form>
      ) : null}
      <PolicyHtml className="policy-body version-preview" html={version.html} />
    </>
  );
}
