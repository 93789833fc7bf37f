// @vitest-environment happy-dom
import { act, useEffect } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { type CopyStorage, statusLabel } from "./autosave";
import { AUTOSAVE_DELAY_MS } from "./autosave-session";
import { useAutosave } from "./use-autosave";

// The wiring of the hook to a page (status rendered, browser events, unmounting); the states
// themselves are tested in autosave-session.test.ts.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let latest: ReturnType<typeof useAutosave>;
let container: HTMLElement;
let root: Root;
let content: unknown;
const items = new Map<string, string>();
const storage: CopyStorage = {
  getItem: (key) => items.get(key) ?? null,
  setItem: (key, value) => void items.set(key, value),
  removeItem: (key) => void items.delete(key),
  keys: () => [...items.keys()],
};
const fetch = vi.fn<typeof globalThis.fetch>();
const saved = () => Response.json({ status: "saved", revision: 2, savedAt: "2026-03-01T10:00:00Z" });

function Editor() {
  const autosave = useAutosave({
    documentId: 1,
    versionNumber: 1,
    initialRevision: 1,
    tabId: "tab-1",
    csrfToken: "csrf",
    saveUrl: "/admin/documents/1/draft",
    fetch,
    storage,
  });
  latest = autosave;
  const { attach } = autosave;
  useEffect(() => {
    attach({
      read: () => content,
      replace: (c) => {
        content = c;
      },
    });
  }, [attach]);
  return <p>{statusLabel(autosave.status)}</p>;
}

async function type(words: string) {
  content = { type: "doc", content: [{ type: "paragraph", text: words }] };
  await act(async () => latest.changed());
}

beforeEach(async () => {
  vi.useFakeTimers();
  items.clear();
  fetch.mockReset();
  content = { type: "doc" };
  container = document.createElement("div");
  document.body.appendChild(container);
  root = createRoot(container);
  await act(async () => root.render(<Editor />));
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
  vi.useRealTimers();
});

it("shows each state of a save on the page, and saves when the browser is back online", async () => {
  expect(container.textContent).toBe("Saved");
  await type("Offline words.");
  expect(container.textContent).toBe("Unsaved changes");
  fetch.mockRejectedValueOnce(new TypeError("Failed to fetch"));
  await act(() => vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS));
  expect(latest.status.kind).toBe("offline");
  expect(container.textContent).toBe("Not saved");

  fetch.mockResolvedValueOnce(saved());
  await act(async () => window.dispatchEvent(new Event("online")));
  expect(fetch).toHaveBeenCalledTimes(2);
  expect(container.textContent).toBe("Saved");
  expect([...items.keys()].filter((key) => key.startsWith("redline:draft:"))).toEqual([]);
});

it("warns before leaving the page only while text is unsaved", async () => {
  const leave = () => {
    const event = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(event);
    return event.defaultPrevented;
  };
  expect(leave()).toBe(false);
  await type("Unsaved.");
  expect(leave()).toBe(true);
  fetch.mockResolvedValueOnce(saved());
  await act(() => vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS));
  expect(leave()).toBe(false);
});

it("sends nothing once the editor has left the page, and keeps the text for next time", async () => {
  await type("Typed just before leaving.");
  act(() => root.unmount());
  await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS * 10);
  window.dispatchEvent(new Event("online"));
  expect(fetch).not.toHaveBeenCalled();
  expect(JSON.parse(items.get("redline:draft:1:1:tab-1:1")!).content).toEqual(content);
});
