import type { JSONContent } from "@tiptap/core";
import type { Slice } from "@tiptap/pm/model";
import { type Editor, EditorContent, useEditor, useEditorState } from "@tiptap/react";
import { useCallback, useEffect, useRef, useState } from "react";
// The browser may import the extension list, never ~/core/document (it pulls in server-only code).
import { isSafeHref, policyExtensions } from "~/core/document/extensions";
import {
  byteLength,
  type LocalCopy,
  localCopyKey,
  MAX_CONTENT_BYTES,
  readLocalCopy,
  removeLocalCopy,
  type SaveResponse,
  type SaveStatus,
  statusLabel,
  writeLocalCopy,
} from "./autosave";
import { normalizeOfficeHtml } from "./office-paste";
import { judgePaste, type PasteCheck, preparePaste } from "./paste-check";

/** Quiet time after the last keystroke before the draft is saved. */
const AUTOSAVE_DELAY_MS = 1200;
/** Retry interval while the network is down. */
const OFFLINE_RETRY_MS = 10_000;

export type PolicyEditorProps = {
  documentId: number;
  versionNumber: number;
  initialContent: JSONContent;
  initialRevision: number;
  csrfToken: string;
  /** Where drafts are POSTed (the JSON draft endpoint). */
  saveUrl: string;
  /** A page showing the draft as stored now, for a conflict. */
  currentDraftUrl: string;
  signInUrl: string;
  /** Called with the saved revision whenever it changes (for the "Submit for review" form). */
  onRevision?: (revision: number, clean: boolean) => void;
};

/**
 * The Tiptap editor with its toolbar and debounced autosave. Every change is copied to
 * localStorage first (keyed by document, version and the revision it started from), then sent; the
 * copy is removed only when the server confirms the save. A refused save never touches the copy.
 */
export function PolicyEditor(props: PolicyEditorProps) {
  const { documentId, versionNumber, saveUrl, csrfToken } = props;
  const storageKey = localCopyKey(documentId, versionNumber);
  const [status, setStatus] = useState<SaveStatus>({ kind: "saved", at: null });
  const [toolbarMessage, setToolbarMessage] = useState<string | null>(null);
  const [staleCopy, setStaleCopy] = useState<LocalCopy | null>(null);
  const [restored, setRestored] = useState(false);

  const revision = useRef(props.initialRevision);
  const dirty = useRef(false);
  const generation = useRef(0);
  const inFlight = useRef(false);
  const blocked = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const editorRef = useRef<Editor | null>(null);
  const onRevision = useRef(props.onRevision);
  onRevision.current = props.onRevision;

  const report = useCallback((clean: boolean) => onRevision.current?.(revision.current, clean), []);

  const keepLocal = useCallback(() => {
    const editor = editorRef.current;
    if (!editor) return;
    writeLocalCopy(storageKey, {
      baseRevision: revision.current,
      content: editor.getJSON(),
      savedAt: new Date().toISOString(),
    });
  }, [storageKey]);

  const save = useCallback(async () => {
    const editor = editorRef.current;
    if (!editor || !dirty.current || blocked.current) return;
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (inFlight.current) return;
    const serialized = JSON.stringify(editor.getJSON());
    if (byteLength(serialized) > MAX_CONTENT_BYTES) {
      setStatus({
        kind: "rejected",
        message: "The document is larger than 2 MB. Shorten it to save; your text is kept in this browser.",
      });
      return;
    }
    const sent = generation.current;
    inFlight.current = true;
    setStatus({ kind: "saving" });
    const body = new FormData();
    body.set("intent", "save-draft");
    body.set("csrf", csrfToken);
    body.set("revision", String(revision.current));
    body.set("content", serialized);
    let answer: SaveResponse | null = null;
    let httpStatus = 0;
    try {
      const response = await fetch(saveUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      httpStatus = response.status;
      answer = (await response.json().catch(() => null)) as SaveResponse | null;
    } catch {
      answer = null;
    } finally {
      inFlight.current = false;
    }
    if (!answer) {
      if (httpStatus === 0) {
        setStatus({ kind: "offline" });
        timer.current = setTimeout(() => void save(), OFFLINE_RETRY_MS);
      } else {
        setStatus({
          kind: "error",
          message: `The server answered ${httpStatus}. Your text is kept in this browser.`,
        });
      }
      return;
    }
    switch (answer.status) {
      case "saved": {
        revision.current = answer.revision;
        if (generation.current === sent) {
          dirty.current = false;
          removeLocalCopy(storageKey);
          setStatus({ kind: "saved", at: answer.savedAt });
          report(true);
        } else {
          // Typed while the save was on its way: keep the copy current and save again.
          keepLocal();
          report(false);
          void save();
        }
        return;
      }
      case "signed-out":
        blocked.current = true;
        setStatus({ kind: "signed-out" });
        return;
      case "conflict":
        blocked.current = true;
        setStatus({
          kind: "conflict",
          message: answer.message,
          currentRevision: answer.currentRevision,
          savedBy: answer.savedBy,
        });
        return;
      case "rejected":
        setStatus({ kind: "rejected", message: answer.message });
        return;
      case "forbidden":
        blocked.current = true;
        setStatus({ kind: "error", message: answer.message });
        return;
    }
  }, [csrfToken, keepLocal, report, saveUrl, storageKey]);

  const changed = useCallback(() => {
    dirty.current = true;
    generation.current++;
    keepLocal();
    report(false);
    if (blocked.current) return;
    setStatus((s) => (s.kind === "saving" ? s : { kind: "pending" }));
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(), AUTOSAVE_DELAY_MS);
  }, [keepLocal, report, save]);

  const pasteCheck = useRef<PasteCheck | null>(null);
  /** True (handled: nothing goes in) when the paste is refused; shows what was left out otherwise. */
  const admitPaste = (slice: Slice): boolean => {
    const check = pasteCheck.current;
    pasteCheck.current = null;
    const { allow, message } = judgePaste(check, slice.content.textBetween(0, slice.content.size, " ", " "));
    setToolbarMessage(message);
    return !allow;
  };

  const editor = useEditor({
    extensions: policyExtensions,
    content: props.initialContent,
    immediatelyRender: false,
    // A <style> element would break the workspace's Content-Security-Policy: the rules are in admin.css.
    injectCSS: false,
    editorProps: {
      // Pasted HTML follows the importer's rules: what is left out on purpose is said, and a
      // paste that would lose text is refused (see paste-check.ts).
      transformPastedHTML: (html) => {
        const { html: prepared, check } = preparePaste(normalizeOfficeHtml(html), new DOMParser());
        pasteCheck.current = check;
        return prepared;
      },
      handlePaste: (_view, _event, slice) => admitPaste(slice),
      handleDrop: (_view, _event, slice, moved) => (moved ? false : admitPaste(slice)),
      attributes: {
        class: "editor-content policy-body",
        "aria-label": "Policy text",
        "aria-multiline": "true",
        role: "textbox",
        spellcheck: "true",
      },
    },
    onUpdate: ({ transaction }) => {
      if (transaction.docChanged) changed();
    },
  });
  editorRef.current = editor;

  // Restore text this browser kept from an earlier session (a save that never arrived).
  useEffect(() => {
    if (!editor) return;
    const copy = readLocalCopy(storageKey);
    if (!copy) return;
    const same = JSON.stringify(copy.content) === JSON.stringify(editor.getJSON());
    if (same) {
      removeLocalCopy(storageKey);
    } else if (copy.baseRevision === revision.current) {
      editor.commands.setContent(copy.content as JSONContent, { emitUpdate: false });
      setRestored(true);
      changed();
    } else {
      setStaleCopy(copy);
    }
  }, [editor, storageKey, changed]);

  // Retry when the network comes back; warn before leaving with unsaved text.
  useEffect(() => {
    const online = () => {
      if (dirty.current && !blocked.current) void save();
    };
    const beforeUnload = (event: BeforeUnloadEvent) => {
      if (dirty.current) event.preventDefault();
    };
    window.addEventListener("online", online);
    window.addEventListener("beforeunload", beforeUnload);
    return () => {
      window.removeEventListener("online", online);
      window.removeEventListener("beforeunload", beforeUnload);
      if (timer.current) clearTimeout(timer.current);
    };
  }, [save]);

  const overwriteWithMine = () => {
    if (status.kind !== "conflict" || status.currentRevision === null) return;
    revision.current = status.currentRevision;
    blocked.current = false;
    keepLocal();
    void save();
  };

  const restoreStaleCopy = () => {
    if (!editor || !staleCopy) return;
    editor.commands.setContent(staleCopy.content as JSONContent, { emitUpdate: false });
    setStaleCopy(null);
    changed();
  };

  return (
    <div className="editor">
      {staleCopy ? (
        <div className="notice notice-info" role="status">
          This browser kept unsaved text from {new Date(staleCopy.savedAt).toLocaleString()}, written on
          revision {staleCopy.baseRevision}. The draft has been saved since (revision {revision.current}).{" "}
          <a href={props.currentDraftUrl} target="_blank" rel="noreferrer">
            See the saved draft
          </a>{" "}
          <button type="button" className="button" onClick={restoreStaleCopy}>
            Use my unsaved text
          </button>{" "}
          <button
            type="button"
            className="button-link"
            onClick={() => {
              removeLocalCopy(storageKey);
              setStaleCopy(null);
            }}
          >
            Discard it
          </button>
        </div>
      ) : null}
      {restored ? (
        <div className="notice notice-info" role="status">
          Unsaved text from this browser was restored and is being saved.
        </div>
      ) : null}
      <div className="editor-chrome">
        <Toolbar editor={editor} onMessage={setToolbarMessage} onSave={() => void save()} status={status} />
        {toolbarMessage ? (
          <p className="toolbar-message" role="alert">
            {toolbarMessage}
          </p>
        ) : null}
        <SaveStatusLine status={status} {...props} onOverwrite={overwriteWithMine} />
      </div>
      <EditorContent editor={editor} className="editor-frame" />
      {!editor ? <p className="muted">Loading the editor…</p> : null}
    </div>
  );
}

function SaveStatusLine({
  status,
  currentDraftUrl,
  signInUrl,
  onOverwrite,
}: { status: SaveStatus; onOverwrite: () => void } & PolicyEditorProps) {
  return (
    <div
      className={`save-status save-${status.kind}`}
      data-save-status={status.kind}
      role="status"
      aria-live="polite"
    >
      <strong>{statusLabel(status)}</strong>
      {status.kind === "saved" && status.at ? (
        <span className="muted"> at {new Date(status.at).toLocaleTimeString()}</span>
      ) : null}
      {status.kind === "offline" ? (
        <span>
          {" "}
          — you seem to be offline. Your text is kept in this browser and will be saved when you are back.
        </span>
      ) : null}
      {status.kind === "error" || status.kind === "rejected" ? <span> — {status.message}</span> : null}
      {status.kind === "signed-out" ? (
        <span>
          {" "}
          — your session has ended. Your text is kept in this browser.{" "}
          <a href={signInUrl} target="_blank" rel="noreferrer">
            Sign in again
          </a>{" "}
          (in a new tab), then reload this page to save it.
        </span>
      ) : null}
      {status.kind === "conflict" ? (
        <span>
          {" "}
          — {status.message}
          {status.savedBy ? ` (last saved by ${status.savedBy})` : ""}. Your text is kept in this browser.{" "}
          <a href={currentDraftUrl} target="_blank" rel="noreferrer">
            See the other change
          </a>{" "}
          <button type="button" className="button-link" onClick={() => window.location.reload()}>
            Load their version
          </button>{" "}
          <button type="button" className="button-link" onClick={onOverwrite}>
            Replace it with mine
          </button>
        </span>
      ) : null}
    </div>
  );
}

function Toolbar({
  editor,
  onMessage,
  onSave,
  status,
}: {
  editor: Editor | null;
  onMessage: (message: string | null) => void;
  onSave: () => void;
  status: SaveStatus;
}) {
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) =>
      e
        ? {
            paragraph: e.isActive("paragraph"),
            h2: e.isActive("heading", { level: 2 }),
            h3: e.isActive("heading", { level: 3 }),
            bold: e.isActive("bold"),
            italic: e.isActive("italic"),
            bulletList: e.isActive("bulletList"),
            orderedList: e.isActive("orderedList"),
            link: e.isActive("link"),
            table: e.isActive("table"),
          }
        : null,
  });
  const run = (fn: (e: Editor) => boolean) => () => {
    if (editor) fn(editor);
  };
  const addLink = () => {
    if (!editor) return;
    const previous = editor.getAttributes("link").href as string | undefined;
    const href = window.prompt("Link address (https://…, http://… or mailto:…)", previous ?? "https://");
    if (href === null) return;
    const trimmed = href.trim();
    if (trimmed === "") {
      editor.chain().focus().extendMarkRange("link").unsetLink().run();
      return;
    }
    if (!isSafeHref(trimmed)) {
      onMessage("That link was refused: links may only use http, https or mailto.");
      return;
    }
    onMessage(null);
    editor.chain().focus().extendMarkRange("link").setLink({ href: trimmed }).run();
  };
  const button = (label: string, active: boolean | undefined, action: () => void, text: string) => (
    <button
      type="button"
      className={active ? "tool is-active" : "tool"}
      aria-label={label}
      aria-pressed={active === undefined ? undefined : active}
      title={label}
      onMouseDown={(e) => e.preventDefault()}
      onClick={action}
      disabled={!editor}
    >
      {text}
    </button>
  );
  return (
    <div className="toolbar" role="toolbar" aria-label="Formatting">
      <div className="tool-group">
        {button(
          "Paragraph",
          state?.paragraph,
          run((e) => e.chain().focus().setParagraph().run()),
          "¶",
        )}
        {button(
          "Heading 2",
          state?.h2,
          run((e) => e.chain().focus().toggleHeading({ level: 2 }).run()),
          "H2",
        )}
        {button(
          "Heading 3",
          state?.h3,
          run((e) => e.chain().focus().toggleHeading({ level: 3 }).run()),
          "H3",
        )}
      </div>
      <div className="tool-group">
        {button(
          "Bold",
          state?.bold,
          run((e) => e.chain().focus().toggleBold().run()),
          "B",
        )}
        {button(
          "Italic",
          state?.italic,
          run((e) => e.chain().focus().toggleItalic().run()),
          "I",
        )}
      </div>
      <div className="tool-group">
        {button(
          "Bulleted list",
          state?.bulletList,
          run((e) => e.chain().focus().toggleBulletList().run()),
          "• List",
        )}
        {button(
          "Numbered list",
          state?.orderedList,
          run((e) => e.chain().focus().toggleOrderedList().run()),
          "1. List",
        )}
      </div>
      <div className="tool-group">
        {button("Link", state?.link, addLink, "Link")}
        {button(
          "Remove link",
          undefined,
          run((e) => e.chain().focus().unsetLink().run()),
          "Unlink",
        )}
      </div>
      <div className="tool-group">
        {button(
          "Insert table",
          undefined,
          run((e) => e.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run()),
          "Table",
        )}
        {state?.table ? (
          <>
            {button(
              "Add row",
              undefined,
              run((e) => e.chain().focus().addRowAfter().run()),
              "+ Row",
            )}
            {button(
              "Add column",
              undefined,
              run((e) => e.chain().focus().addColumnAfter().run()),
              "+ Column",
            )}
            {button(
              "Delete row",
              undefined,
              run((e) => e.chain().focus().deleteRow().run()),
              "− Row",
            )}
            {button(
              "Delete table",
              undefined,
              run((e) => e.chain().focus().deleteTable().run()),
              "× Table",
            )}
          </>
        ) : null}
      </div>
      <div className="tool-group">
        {button(
          "Undo",
          undefined,
          run((e) => e.chain().focus().undo().run()),
          "↶",
        )}
        {button(
          "Redo",
          undefined,
          run((e) => e.chain().focus().redo().run()),
          "↷",
        )}
      </div>
      <div className="tool-group tool-save">
        <button
          type="button"
          className="button"
          onClick={onSave}
          disabled={!editor || status.kind === "saving"}
        >
          Save draft
        </button>
      </div>
    </div>
  );
}
