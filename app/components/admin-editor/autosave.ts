/**
 * The editor's save status and the browser copy of unsaved text. Pure browser code: no Tiptap, no
 * server modules, so it can be imported by the client bundle.
 */

/** The saved draft and this tab's text, as a redline (from the server's diff engine). */
type ConflictRedline = { html: string; changesHtml: string };

export type SaveStatus =
  | { kind: "saved"; at: string | null }
  | { kind: "pending" }
  | { kind: "saving" }
  | { kind: "offline" }
  | { kind: "error"; message: string }
  | { kind: "rejected"; message: string }
  | { kind: "signed-out" }
  | ({ kind: "conflict" } & Conflict);

/** A save refused because the draft moved on: who moved it, and what differs. */
type Conflict = {
  message: string;
  currentRevision: number | null;
  savedBy: string | null;
  /** The newer revision was saved by the same person: in another tab, window or browser. */
  savedByYou?: boolean;
  redline?: ConflictRedline | null;
};

/** What the draft endpoint answers (app/routes/admin.documents.$id.draft.ts). */
export type SaveResponse =
  | { status: "saved"; revision: number; savedAt: string }
  | { status: "signed-out" }
  | { status: "forbidden"; message: string }
  | { status: "rejected"; message: string }
  | ({ status: "conflict" } & Conflict);

/** The short words shown beside the editor. */
export function statusLabel(status: SaveStatus): string {
  switch (status.kind) {
    case "saved":
      return "Saved";
    case "pending":
      return "Unsaved changes";
    case "saving":
      return "Saving…";
    default:
      return "Not saved";
  }
}

/** Browser copies are kept at most 2 MB of JSON, like the server's limit. */
export const MAX_CONTENT_BYTES = 2 * 1024 * 1024;

export type LocalCopy = { baseRevision: number; content: unknown; savedAt: string; tabId?: string };

/** The part of `localStorage` the editor uses; tests give an in-memory one. */
export type CopyStorage = Pick<Storage, "getItem" | "setItem" | "removeItem"> & {
  /** Every key in the storage. */
  keys: () => string[];
};

/**
 * The browser's localStorage, looked up on each call: merely touching `window.localStorage` throws
 * when storage is blocked, and the server render has no window at all.
 */
export const browserStorage: CopyStorage = {
  getItem: (key) => window.localStorage.getItem(key),
  setItem: (key, value) => window.localStorage.setItem(key, value),
  removeItem: (key) => window.localStorage.removeItem(key),
  keys: () => Array.from({ length: window.localStorage.length }, (_, i) => window.localStorage.key(i) ?? ""),
};

/**
 * Copies are kept per tab and per revision they started from: two tabs on one draft never read,
 * overwrite or delete each other's text, and a save in one tab forgets only that tab's copy.
 */
export function localCopyKey(
  documentId: number,
  versionNumber: number,
  tabId: string,
  baseRevision: number,
): string {
  return `${localCopyPrefix(documentId, versionNumber)}${tabId}:${baseRevision}`;
}

function localCopyPrefix(documentId: number, versionNumber: number): string {
  return `redline:draft:${documentId}:${versionNumber}:`;
}

/** Where a live tab says it is still open (see autosave-session.ts, `TAB_ALIVE_MS`). */
export function tabAliveKey(tabId: string): string {
  return `redline:tab-alive:${tabId}`;
}

/** The key's tab and base revision, or null for a key that is not a copy of this draft. */
export function parseLocalCopyKey(
  key: string,
  documentId: number,
  versionNumber: number,
): { tabId: string; baseRevision: number } | null {
  const prefix = localCopyPrefix(documentId, versionNumber);
  if (!key.startsWith(prefix)) return null;
  const match = /^([A-Za-z0-9-]+):(\d+)$/.exec(key.slice(prefix.length));
  return match ? { tabId: match[1], baseRevision: Number(match[2]) } : null;
}

/**
 * This tab's name, kept in sessionStorage: it survives a reload of the tab and is not shared with
 * other tabs. (The browser's "Duplicate tab" copies sessionStorage; the autosave session notices
 * the original still open under that name and gives the duplicate a new one.)
 */
export function tabIdentity(session: Pick<Storage, "getItem" | "setItem"> | null): string {
  const fresh = () =>
    typeof crypto !== "undefined" && "randomUUID" in crypto
      ? crypto.randomUUID()
      : Math.random().toString(36).slice(2);
  try {
    const known = session?.getItem("redline:tab");
    if (known && /^[A-Za-z0-9-]+$/.test(known)) return known;
    const id = fresh();
    session?.setItem("redline:tab", id);
    return id;
  } catch {
    return fresh();
  }
}

export function readLocalCopy(storage: CopyStorage, key: string): LocalCopy | null {
  try {
    const raw = storage.getItem(key);
    if (!raw) return null;
    const value = JSON.parse(raw) as LocalCopy;
    return typeof value.baseRevision === "number" && value.content ? value : null;
  } catch {
    return null;
  }
}

export function writeLocalCopy(storage: CopyStorage, key: string, copy: LocalCopy): boolean {
  try {
    storage.setItem(key, JSON.stringify(copy));
    return true;
  } catch {
    return false;
  }
}

export function removeLocalCopy(storage: CopyStorage, key: string): void {
  try {
    storage.removeItem(key);
  } catch {
    // Storage unavailable (private mode): nothing to remove.
  }
}

export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
