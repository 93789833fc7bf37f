/**
 * The editor's autosave without React or Tiptap: debounced saves to the draft endpoint, the browser
 * copy kept for recovery, and the status shown beside the editor. Timers, fetch and storage are
 * passed in, so every state can be tested in Node (autosave-session.test.ts); `useAutosave` wires
 * it to a component.
 *
 * Every change is copied to storage first (keyed by document, version, this tab and the revision it
 * started from), then sent; the copy is removed only when the server confirms the save. A refused
 * save never touches the copy, and no tab touches another tab's copies. A reload offers only the
 * tab's own text; a copy left by a tab that was closed (it stopped saying it is alive) is offered
 * to the next tab, as text from a closed tab.
 */
import {
  byteLength,
  type CopyStorage,
  type LocalCopy,
  localCopyKey,
  MAX_CONTENT_BYTES,
  parseLocalCopyKey,
  readLocalCopy,
  removeLocalCopy,
  type SaveResponse,
  type SaveStatus,
  tabAliveKey,
  writeLocalCopy,
} from "./autosave";

/** Quiet time after the last keystroke before the draft is saved. */
export const AUTOSAVE_DELAY_MS = 1200;
/** Retry interval while the network is down. */
export const OFFLINE_RETRY_MS = 10_000;
/** How often an open editor tab says it is alive; a tab silent for three times as long was closed. */
const TAB_ALIVE_MS = 20_000;

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
  /** This tab's name (`tabIdentity`): its copies are its own. */
  tabId: string;
  /**
   * Told a new name when this page finds another open page using its name (the browser's
   * "Duplicate tab" copies sessionStorage), so that the tab keeps it from now on.
   */
  onTabRenamed?: (tabId: string) => void;
  /** A fresh tab name; defaults to a random one. */
  newTabId?: () => string;
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
  /**
   * Text kept from an older revision in this tab, or by a tab that was closed: offered rather than
   * applied. `fromClosedTab` says which.
   */
  staleCopy: (LocalCopy & { fromClosedTab: boolean }) | null;
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
  const { documentId, versionNumber } = options;
  let tabId = options.tabId;
  /** This page's own mark in the "alive" entry: another page with the same tab name has another. */
  const pageMark = Math.random().toString(36).slice(2, 10);
  const keyFor = (revision: number) => localCopyKey(documentId, versionNumber, tabId, revision);
  /** The copy this tab wrote last (one per tab: a newer base revision replaces it). */
  let copyKey: string | null = null;

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
  /** Where the offered copy (`staleCopy`) is kept. */
  let staleKey: string | null = null;

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
    const key = keyFor(view.revision);
    writeLocalCopy(storage, key, {
      baseRevision: view.revision,
      content: text.read(),
      savedAt: clock.now().toISOString(),
      tabId,
    });
    if (copyKey !== null && copyKey !== key) removeLocalCopy(storage, copyKey);
    copyKey = key;
  };
  const forgetLocal = () => {
    if (copyKey !== null) removeLocalCopy(storage, copyKey);
    copyKey = null;
  };

  // While the editor is open the tab says so, so that no other tab takes its copies for a closed tab's.
  let aliveTimer: unknown = null;
  const sayAlive = () => {
    try {
      storage.setItem(tabAliveKey(tabId), `${clock.now().getTime()}:${pageMark}`);
    } catch {
      // Storage unavailable: copies are not kept either.
    }
    aliveTimer = clock.setTimeout(sayAlive, TAB_ALIVE_MS);
  };
  /** When the tab last said it was alive, and which page said it; null when never or unreadable. */
  const lastAlive = (tab: string): { at: number; mark: string } | null => {
    try {
      const [at, mark = ""] = (storage.getItem(tabAliveKey(tab)) ?? "").split(":");
      return Number(at) > 0 ? { at: Number(at), mark } : null;
    } catch {
      return null;
    }
  };
  const isClosedTab = (otherTab: string) => {
    const seen = lastAlive(otherTab);
    return !seen || clock.now().getTime() - seen.at > 3 * TAB_ALIVE_MS;
  };
  /**
   * Another open page already goes by this tab's name (a duplicated tab: a reload removes its
   * predecessor's mark on the way out): take a new name, and with it no copies of the other's.
   */
  const claimTabName = () => {
    const seen = lastAlive(tabId);
    if (!seen || seen.mark === pageMark || isClosedTab(tabId)) return;
    tabId = options.newTabId?.() ?? `tab-${Math.random().toString(36).slice(2, 12)}`;
    options.onTabRenamed?.(tabId);
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
          forgetLocal();
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
          savedByYou: answer.savedByYou ?? false,
          redline: answer.redline ?? null,
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
     * Connects the editor's text, then looks for text kept from an earlier visit (a save that never
     * arrived): this tab's copy on the current revision is put back and saved; the same text is
     * forgotten; this tab's copy from an older revision, or the newest copy a closed tab left, is
     * offered. Copies of tabs still open are theirs and are left alone.
     */
    attach(draft: DraftText): void {
      text = draft;
      claimTabName();
      sayAlive();
      const current = JSON.stringify(draft.read());
      const candidates: { key: string; copy: LocalCopy; own: boolean }[] = [];
      let keys: string[] = [];
      try {
        keys = storage.keys();
      } catch {
        return;
      }
      for (const key of keys) {
        const parsed = parseLocalCopyKey(key, documentId, versionNumber);
        if (!parsed) continue;
        const own = parsed.tabId === tabId;
        if (!own && !isClosedTab(parsed.tabId)) continue;
        const copy = readLocalCopy(storage, key);
        if (!copy) continue;
        if (JSON.stringify(copy.content) === current) {
          removeLocalCopy(storage, key);
          continue;
        }
        candidates.push({ key, copy, own });
      }
      const mine = candidates.find((c) => c.own && c.copy.baseRevision === view.revision);
      if (mine) {
        copyKey = mine.key;
        draft.replace(mine.copy.content);
        update({ restored: true });
        changed();
        return;
      }
      const offered = candidates
        .sort((a, b) => Number(b.own) - Number(a.own) || b.copy.savedAt.localeCompare(a.copy.savedAt))
        .at(0);
      if (offered) {
        staleKey = offered.key;
        update({ staleCopy: { ...offered.copy, fromClosedTab: !offered.own } });
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
      // The text now lives in this tab's copy of the current revision.
      changed();
      if (staleKey !== null && staleKey !== copyKey) removeLocalCopy(storage, staleKey);
      staleKey = null;
    },
    discardStaleCopy(): void {
      if (staleKey !== null) removeLocalCopy(storage, staleKey);
      staleKey = null;
      update({ staleCopy: null });
    },
    /** The page is shown again from the back-forward cache: say the tab is alive again. */
    revive(): void {
      if (text && aliveTimer === null) sayAlive();
      if (dirty && !blocked) schedule(AUTOSAVE_DELAY_MS);
    },
    /** The editor leaves the page: stop saving, and stop saying this tab is alive. */
    dispose(): void {
      cancelTimer();
      if (aliveTimer !== null) clock.clearTimeout(aliveTimer);
      aliveTimer = null;
      try {
        storage.removeItem(tabAliveKey(tabId));
      } catch {
        // Storage unavailable.
      }
    },
  };
}
