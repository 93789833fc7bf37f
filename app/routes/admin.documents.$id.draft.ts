import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { z } from "zod";
import { sentence } from "~/auth/errors.server";
import { documentFromParams } from "~/auth/params.server";
import { roleAtLeast } from "~/auth/roles";
import { checkCsrf, checkSameOrigin, getUser, requireUser } from "~/auth/session.server";
import type { SaveResponse } from "~/components/admin-editor/autosave";
import { BODY_LIMITS, BodyError, readFormBody } from "~/http/body.server";
import { RevisionConflictError, VersionError } from "~/models/versions.server";
import {
  DraftRejectedError,
  lastDraftSave,
  saveWorkspaceDraft,
  WorkflowError,
} from "~/models/workflow.server";

const SaveDraft = z.object({
  intent: z.literal("save-draft"),
  revision: z.coerce.number().int().positive(),
  content: z.string().min(2),
});

const answer = (body: SaveResponse, status = 200) => Response.json(body, { status });

/**
 * The editor's autosave endpoint. It answers JSON, never a redirect, so the editor can keep the text
 * and say what happened: 401 when the session has ended, 409 when someone else saved first, 400/413
 * when the content is refused (the stored draft is then unchanged).
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const user = await getUser(request);
  if (!user) return answer({ status: "signed-out" }, 401);
  if (!roleAtLeast(user.role, "editor")) {
    return answer({ status: "forbidden", message: "Your role cannot edit drafts." }, 403);
  }
  try {
    checkSameOrigin(request);
  } catch {
    return answer({ status: "forbidden", message: "Cross-site request refused." }, 403);
  }
  const document = await documentFromParams(params);
  let form: FormData;
  try {
    form = await readFormBody(request, BODY_LIMITS.draft);
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    const message =
      error.status === 413
        ? "The document is larger than 2 MB, so it was not saved."
        : `The editor's request was refused (${error.message}), so nothing was saved.`;
    return answer({ status: "rejected", message }, error.status);
  }
  try {
    checkCsrf(user, form);
  } catch {
    return answer(
      {
        status: "forbidden",
        message: "This page has expired. Copy your text, reload the page and try again.",
      },
      403,
    );
  }
  const parsed = SaveDraft.safeParse(Object.fromEntries(form));
  if (!parsed.success)
    return answer({ status: "rejected", message: "The editor sent an incomplete request." }, 400);
  try {
    const version = await saveWorkspaceDraft({
      documentId: document.id,
      content: parsed.data.content,
      expectedRevision: parsed.data.revision,
      actor: { kind: "user", id: user.id },
    });
    return answer({ status: "saved", revision: version.revision, savedAt: version.updatedAt });
  } catch (error) {
    if (error instanceof RevisionConflictError) {
      const current = error.current;
      const savedBy = current ? ((await lastDraftSave(current.id))?.email ?? null) : null;
      return answer(
        {
          status: "conflict",
          message:
            current?.state === "draft"
              ? `Someone else saved this draft while you were editing (you started from revision ${parsed.data.revision}; it is now at revision ${current.revision})`
              : sentence(error.message),
          currentRevision: current?.state === "draft" ? current.revision : null,
          savedBy,
        },
        409,
      );
    }
    if (error instanceof DraftRejectedError) {
      return answer({ status: "rejected", message: error.message }, error.status);
    }
    if (error instanceof VersionError || error instanceof WorkflowError) {
      return answer(
        { status: "conflict", message: sentence(error.message), currentRevision: null, savedBy: null },
        409,
      );
    }
    throw error;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "editor" });
  const document = await documentFromParams(params);
  return redirect(`/admin/documents/${document.id}/edit`);
}
