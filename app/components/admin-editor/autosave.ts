/**
 * The editor's save status and the browser copy of unsaved text. Pure browser code: no Tiptap, no
 * server modules, so it can be imported by the client bundle.
 */

export type SaveStatus =
  | { kind: "saved"; at: string | null }
  | { kind: "pending" }
  | { kind: "saving" }
  | { kind: "offline" }
  | { kind: "error"; message: string }
  | { kind: "rejected"; message: string }
  | { kind: "signed-out" }
  | { kind: "conflict"; message: string; currentRevision: number | null; savedBy: string | null };

/** What the draft endpoint answers (app/routes/admin.documents.$id.draft.ts). */
export type SaveResponse =
  | { status: "saved"; revision: number; savedAt: string }
  | { status: "signed-out" }
  | { status: "forbidden"; message: string }
  | { status: "rejected"; message: string }
  | { status: "conflict"; message: string; currentRevision: number | null; savedBy: string | null };

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

export type LocalCopy = { baseRevision: number; content: unknown; savedAt: string };

/** The part of `localStorage` the editor uses; tests give an in-memory one. */
export type CopyStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/**
 * The browser's localStorage, looked up on each call: merely touching `window.localStorage` throws
 * when storage is blocked, and the server render has no window at all.
 */
export const browserStorage: CopyStorage = {
  getItem: (key) => window.localStorage.getItem(key),
  setItem: (key, value) => window.localStorage.setItem(key, value),
  removeItem: (key) => window.localStorage.removeItem(key),
};

export function localCopyKey(documentId: number, versionNumber: number): string {
  return `redline:draft:${documentId}:${versionNumber}`;
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
