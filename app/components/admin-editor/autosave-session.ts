/**
 * The editor's autosave without React or Tiptap: debounced saves to the draft endpoint, the browser
 * copy kept for recovery, and the status shown beside the editor. Timers, fetch and storage are
 * passed in, so every state can be tested in Node (autosave-session.test.ts); `useAutosave` wires
 * it to a component.
 *
 * Every change is copied to storage first (keyed by document, version and the revision it started
 * from), then sent; the copy is removed only when the server confirms the save. A refused save
 * never touches the copy.
 */
import {
  byteLength,
  type CopyStorage,
  type LocalCopy,
  localCopyKey,
  MAX_CONTENT_BYTES,
  readLocalCopy,
  removeLocalCopy,
  type SaveResponse,
  type SaveStatus,
  writeLocalCopy,
} from "./autosave";

/** Quiet time after the last keystroke before the draft is saved. */
export const AUTOSAVE_DELAY_MS = 1200;
/** Retry interval while the network is down. */
export const OFFLINE_RETRY_MS = 10_000;

/** The text being edited, as the session sees it. */
export type DraftText = {
  read: () => unknown;
  /** Puts recovered text in the editor without counting it as an edit. */
  replace: (content: unknown) => void;
};

export type Clock = {
  now: () => Date;
  setTimeout: (run: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
};

export type AutosaveOptions = {
  documentId: number;
  versionNumber: number;
  initialRevision: number;
  csrfToken: string;
  saveUrl: string;
  /** Told the saved revision, and whether the text is saved, whenever either may have changed. */
  onRevision?: (revision: number, clean: boolean) => void;
  fetch?: typeof fetch;
  storage: CopyStorage;
  clock?: Clock;
};

/** What the editor renders; a new object whenever something in it changes. */
export type AutosaveView = {
  status: SaveStatus;
  /** The revision the next save starts from. */
  revision: number;
  /** Text this browser kept from an older revision, offered rather than applied. */
  staleCopy: LocalCopy | null;
  /** Whether text kept from an earlier visit was put back in the editor. */
  restored: boolean;
};

export type AutosaveSession = ReturnType<typeof createAutosaveSession>;

const systemClock: Clock = {
  now: () => new Date(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const TOO_LARGE = "The document is larger than 2 MB. Shorten it to save; your text is kept in this browser.";

export function createAutosaveSession(options: AutosaveOptions) {
  const { storage, csrfToken, saveUrl } = options;
  const clock = options.clock ?? systemClock;
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  const key = localCopyKey(options.documentId, options.versionNumber);

  let view: AutosaveView = {
    status: { kind: "saved", at: null },
    revision: options.initialRevision,
    staleCopy: null,
    restored: false,
  };
  const listeners = new Set<() => void>();
  let text: DraftText | null = null;
  let dirty = false;
  /** Counts edits, so that an answer can tell whether it covers the latest one. */
  let generation = 0;
  let inFlight = false;
  /** Set when saving again cannot help until the person acts (signed out, conflict, forbidden). */
  let blocked = false;
  let timer: unknown = null;

  const update = (change: Partial<AutosaveView>) => {
    view = { ...view, ...change };
    for (const listener of listeners) listener();
  };
  const setStatus = (status: SaveStatus) => update({ status });
  const report = (clean: boolean) => options.onRevision?.(view.revision, clean);
  const cancelTimer = () => {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
  };
  const schedule = (ms: number) => {
    cancelTimer();
    timer = clock.setTimeout(() => void save(), ms);
  };

  const keepLocal = () => {
    if (!text) return;
    writeLocalCopy(storage, key, {
      baseRevision: view.revision,
      content: text.read(),
      savedAt: clock.now().toISOString(),
    });
  };

  async function save(): Promise<void> {
    if (!text || !dirty || blocked) return;
    cancelTimer();
    if (inFlight) return;
    const serialized = JSON.stringify(text.read());
    if (byteLength(serialized) > MAX_CONTENT_BYTES) {
      setStatus({ kind: "rejected", message: TOO_LARGE });
      return;
    }
    const sent = generation;
    inFlight = true;
    setStatus({ kind: "saving" });
    const body = new FormData();
    body.set("intent", "save-draft");
    body.set("csrf", csrfToken);
    body.set("revision", String(view.revision));
    body.set("content", serialized);
    let answer: SaveResponse | null = null;
    let httpStatus = 0;
    try {
      const response = await send(saveUrl, {
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
      inFlight = false;
    }
    if (!answer) {
      if (httpStatus === 0) {
        setStatus({ kind: "offline" });
        schedule(OFFLINE_RETRY_MS);
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
        update({ revision: answer.revision });
        if (generation === sent) {
          dirty = false;
          removeLocalCopy(storage, key);
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
        blocked = true;
        setStatus({ kind: "signed-out" });
        return;
      case "conflict":
        blocked = true;
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
        blocked = true;
        setStatus({ kind: "error", message: answer.message });
        return;
    }
  }

  /** The text changed: keep a copy now, save after a quiet moment. */
  function changed(): void {
    dirty = true;
    generation++;
    keepLocal();
    report(false);
    if (blocked) return;
    if (view.status.kind !== "saving") setStatus({ kind: "pending" });
    schedule(AUTOSAVE_DELAY_MS);
  }

  return {
    getView: (): AutosaveView => view,
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /**
     * Connects the editor's text, then looks for text this browser kept from an earlier visit (a
     * save that never arrived): the same text is forgotten, text written on the current revision is
     * put back and saved, text from an older revision is offered.
     */
    attach(draft: DraftText): void {
      text = draft;
      const copy = readLocalCopy(storage, key);
      if (!copy) return;
      if (JSON.stringify(copy.content) === JSON.stringify(draft.read())) {
        removeLocalCopy(storage, key);
      } else if (copy.baseRevision === view.revision) {
        draft.replace(copy.content);
        update({ restored: true });
        changed();
      } else {
        update({ staleCopy: copy });
      }
    },

    changed,
    saveNow: () => void save(),
    /** The network is back: save what is waiting, unless the person must act first. */
    online(): void {
      if (dirty && !blocked) void save();
    },
    hasUnsavedText: () => dirty,

    /** After a conflict: save this text over the revision someone else saved. */
    overwriteWithMine(): void {
      const { status } = view;
      if (status.kind !== "conflict" || status.currentRevision === null) return;
      update({ revision: status.currentRevision });
      blocked = false;
      keepLocal();
      void save();
    },
    restoreStaleCopy(): void {
      const copy = view.staleCopy;
      if (!text || !copy) return;
      text.replace(copy.content);
      update({ staleCopy: null });
      changed();
    },
    discardStaleCopy(): void {
      removeLocalCopy(storage, key);
      update({ staleCopy: null });
    },
    dispose: cancelTimer,
  };
}
