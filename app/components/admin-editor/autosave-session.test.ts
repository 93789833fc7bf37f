import { beforeEach, describe, expect, it } from "vitest";
import { type CopyStorage, type LocalCopy, type SaveResponse, statusLabel } from "./autosave";
import {
  AUTOSAVE_DELAY_MS,
  type AutosaveSession,
  type Clock,
  createAutosaveSession,
  type DraftText,
  OFFLINE_RETRY_MS,
} from "./autosave-session";

const TAB = "tab-a";
const keyOf = (revision: number, tab = TAB) => `redline:draft:7:2:${tab}:${revision}`;
const doc = (words: string) => ({ type: "doc", content: [{ type: "paragraph", text: words }] });

/** Timers that run only when the test moves time on. */
function manualClock(start = Date.parse("2026-03-01T10:00:00Z")) {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; run: () => void }>();
  const clock: Clock = {
    now: () => new Date(now),
    setTimeout: (run, ms) => {
      timers.set(nextId, { at: now + ms, run });
      return nextId++;
    },
    clearTimeout: (id) => void timers.delete(id as number),
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].run();
    }
    now = until;
  };
  return { clock, advance };
}

/** A draft endpoint whose answers the test gives, one request at a time. */
function draftEndpoint() {
  const requests: { revision: number; content: unknown; csrf: string; resolve: (r: Response) => void }[] = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    const form = init.body as FormData;
    return new Promise<Response>((resolve, reject) => {
      requests.push({
        revision: Number(form.get("revision")),
        content: JSON.parse(String(form.get("content"))),
        csrf: String(form.get("csrf")),
        resolve: (response) =>
          response.status === 0 ? reject(new TypeError("Failed to fetch")) : resolve(response),
      });
    });
  }) as typeof globalThis.fetch;
  const last = () => requests[requests.length - 1];
  return {
    fetch,
    requests,
    last,
    answer: async (body: SaveResponse, status = 200) => {
      last().resolve(Response.json(body, { status }));
      await settle();
    },
    answerRaw: async (response: Response) => {
      last().resolve(response);
      await settle();
    },
    networkDown: async () => {
      // Status 0 stands for "fetch rejected": no answer reached the browser.
      last().resolve({ status: 0 } as Response);
      await settle();
    },
  };
}

function memoryStorage(): CopyStorage & {
  copy: (tab?: string) => LocalCopy | null;
  items: Map<string, string>;
} {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    keys: () => [...items.keys()],
    /** The tab's one copy of draft 7 version 2, whatever revision it started from. */
    copy: (tab = TAB) => {
      const keys = [...items.keys()].filter((k) => k.startsWith(`redline:draft:7:2:${tab}:`));
      expect(keys.length).toBeLessThanOrEqual(1);
      return keys[0] ? (JSON.parse(items.get(keys[0])!) as LocalCopy) : null;
    },
  };
}

/** The editor's text: what the person typed, and what recovery put back. */
function editorText(initial: unknown): DraftText & { current: unknown } {
  const text = {
    current: initial,
    read: () => text.current,
    replace: (content: unknown) => {
      text.current = content;
    },
  };
  return text;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

let clock: ReturnType<typeof manualClock>;
let server: ReturnType<typeof draftEndpoint>;
let storage: ReturnType<typeof memoryStorage>;
let text: ReturnType<typeof editorText>;
let reported: { revision: number; clean: boolean }[];
let session: AutosaveSession;

function open({ revision = 3, tabId = TAB } = {}) {
  session = createAutosaveSession({
    documentId: 7,
    versionNumber: 2,
    initialRevision: revision,
    tabId,
    csrfToken: "csrf-1",
    saveUrl: "/admin/documents/7/draft",
    onRevision: (r, clean) => reported.push({ revision: r, clean }),
    fetch: server.fetch,
    storage,
    clock: clock.clock,
  });
  session.attach(text);
}

function type(words: string) {
  text.current = doc(words);
  session.changed();
}

/** Text a tab of this browser kept from an earlier visit. */
const kept = (baseRevision: number, words: string, tab = TAB) =>
  storage.setItem(
    keyOf(baseRevision, tab),
    JSON.stringify({ baseRevision, content: doc(words), savedAt: "2026-02-28T18:00:00Z" }),
  );

const shown = () => statusLabel(session.getView().status);
const kind = () => session.getView().status.kind;

beforeEach(() => {
  clock = manualClock();
  server = draftEndpoint();
  storage = memoryStorage();
  text = editorText(doc("Version two."));
  reported = [];
});

describe("saving a draft", () => {
  it("keeps a copy at once, saves after a quiet moment, and forgets the copy once saved", async () => {
    open();
    expect(shown()).toBe("Saved");
    type("We collect your email.");
    expect(shown()).toBe("Unsaved changes");
    expect(storage.copy()).toMatchObject({ baseRevision: 3, content: doc("We collect your email.") });
    expect(reported.at(-1)).toEqual({ revision: 3, clean: false });

    clock.advance(AUTOSAVE_DELAY_MS - 1);
    expect(server.requests).toHaveLength(0);
    clock.advance(1);
    expect(shown()).toBe("Saving…");
    expect(server.last()).toMatchObject({
      revision: 3,
      csrf: "csrf-1",
      content: doc("We collect your email."),
    });

    await server.answer({ status: "saved", revision: 4, savedAt: "2026-03-01T10:00:02Z" });
    expect(session.getView().status).toEqual({ kind: "saved", at: "2026-03-01T10:00:02Z" });
    expect(storage.copy()).toBeNull();
    expect(reported.at(-1)).toEqual({ revision: 4, clean: true });

    type("We collect your email address.");
    clock.advance(AUTOSAVE_DELAY_MS);
    expect(server.last().revision).toBe(4);
  });

  it("sends one save for a burst of typing", () => {
    open();
    type("W");
    clock.advance(500);
    type("We");
    clock.advance(500);
    type("We collect");
    clock.advance(AUTOSAVE_DELAY_MS);
    expect(server.requests).toHaveLength(1);
    expect(server.last().content).toEqual(doc("We collect"));
  });

  it("saves again what was typed while a save was on its way, keeping the copy until then", async () => {
    open();
    type("First words.");
    clock.advance(AUTOSAVE_DELAY_MS);
    type("First words. More.");
    expect(shown()).toBe("Saving…");
    await server.answer({ status: "saved", revision: 4, savedAt: "2026-03-01T10:00:02Z" });
    expect(storage.copy()).toMatchObject({ baseRevision: 4, content: doc("First words. More.") });
    expect(server.requests).toHaveLength(2);
    expect(server.last()).toMatchObject({ revision: 4, content: doc("First words. More.") });
    expect(reported.at(-1)).toEqual({ revision: 4, clean: false });
    await server.answer({ status: "saved", revision: 5, savedAt: "2026-03-01T10:00:03Z" });
    expect(shown()).toBe("Saved");
    expect(storage.copy()).toBeNull();
  });

  it("saves at once when asked to, without waiting", () => {
    open();
    type("Now.");
    session.saveNow();
    expect(server.requests).toHaveLength(1);
  });
});

describe("offline", () => {
  it("keeps the text, retries on its own, and saves as soon as the network is back", async () => {
    open();
    type("Written on a train.");
    clock.advance(AUTOSAVE_DELAY_MS);
    await server.networkDown();
    expect(kind()).toBe("offline");
    expect(shown()).toBe("Not saved");
    expect(storage.copy()?.content).toEqual(doc("Written on a train."));

    clock.advance(OFFLINE_RETRY_MS);
    expect(server.requests).toHaveLength(2);
    await server.networkDown();
    expect(kind()).toBe("offline");

    session.online();
    expect(server.requests).toHaveLength(3);
    await server.answer({ status: "saved", revision: 4, savedAt: "2026-03-01T10:01:00Z" });
    expect(shown()).toBe("Saved");
    expect(storage.copy()).toBeNull();
    // The pending retry was dropped when the save went through.
    clock.advance(OFFLINE_RETRY_MS);
    expect(server.requests).toHaveLength(3);
  });

  it("does nothing when the network comes back with nothing to save", () => {
    open();
    session.online();
    expect(server.requests).toHaveLength(0);
  });

  it("says what the server answered when the answer is not the endpoint's JSON", async () => {
    open();
    type("Text.");
    clock.advance(AUTOSAVE_DELAY_MS);
    await server.answerRaw(new Response("Bad gateway", { status: 502 }));
    expect(session.getView().status).toEqual({
      kind: "error",
      message: "The server answered 502. Your text is kept in this browser.",
    });
    expect(storage.copy()?.content).toEqual(doc("Text."));
  });
});

describe("a save that cannot go through until the person acts", () => {
  it("conflict: shows who saved, keeps the text, stops saving, and can overwrite on request", async () => {
    open();
    type("My wording.");
    clock.advance(AUTOSAVE_DELAY_MS);
    await server.answer(
      {
        status: "conflict",
        message: "Someone saved a newer revision",
        currentRevision: 5,
        savedBy: "ada@x.test",
      },
      409,
    );
    expect(session.getView().status).toMatchObject({
      kind: "conflict",
      currentRevision: 5,
      savedBy: "ada@x.test",
    });
    expect(shown()).toBe("Not saved");

    type("My wording, improved.");
    clock.advance(AUTOSAVE_DELAY_MS * 10);
    session.online();
    expect(server.requests).toHaveLength(1);
    expect(kind()).toBe("conflict");
    expect(storage.copy()).toMatchObject({ baseRevision: 3, content: doc("My wording, improved.") });

    session.overwriteWithMine();
    expect(server.last()).toMatchObject({ revision: 5, content: doc("My wording, improved.") });
    expect(storage.copy()?.baseRevision).toBe(5);
    await server.answer({ status: "saved", revision: 6, savedAt: "2026-03-01T10:02:00Z" });
    expect(shown()).toBe("Saved");
    expect(storage.copy()).toBeNull();
  });

  it("expired session: says so, keeps the text and sends nothing more", async () => {
    open();
    type("Before lunch.");
    clock.advance(AUTOSAVE_DELAY_MS);
    await server.answer({ status: "signed-out" }, 401);
    expect(kind()).toBe("signed-out");
    expect(shown()).toBe("Not saved");
    type("After lunch.");
    clock.advance(OFFLINE_RETRY_MS);
    session.saveNow();
    expect(server.requests).toHaveLength(1);
    expect(kind()).toBe("signed-out");
    expect(storage.copy()?.content).toEqual(doc("After lunch."));
  });

  it("rejected by the server: shows its reason, keeps the text, and tries again after the next edit", async () => {
    open();
    type("Huge.");
    clock.advance(AUTOSAVE_DELAY_MS);
    await server.answer(
      { status: "rejected", message: "The document is larger than 2 MB, so it was not saved." },
      413,
    );
    expect(session.getView().status).toEqual({
      kind: "rejected",
      message: "The document is larger than 2 MB, so it was not saved.",
    });
    expect(storage.copy()?.content).toEqual(doc("Huge."));
    type("Shorter.");
    clock.advance(AUTOSAVE_DELAY_MS);
    expect(server.requests).toHaveLength(2);
  });

  it("too large to send: refused in the browser, nothing sent, the text kept", () => {
    open();
    type("x".repeat(2 * 1024 * 1024));
    clock.advance(AUTOSAVE_DELAY_MS);
    expect(server.requests).toHaveLength(0);
    expect(session.getView().status).toMatchObject({ kind: "rejected" });
    expect(shown()).toBe("Not saved");
  });
});

describe("text this browser kept from an earlier visit", () => {
  it("written on the revision the draft is still at: put back in the editor and saved", async () => {
    kept(3, "Unsent words.");
    open({ revision: 3 });
    expect(text.current).toEqual(doc("Unsent words."));
    expect(session.getView().restored).toBe(true);
    expect(shown()).toBe("Unsaved changes");
    clock.advance(AUTOSAVE_DELAY_MS);
    expect(server.last()).toMatchObject({ revision: 3, content: doc("Unsent words.") });
    await server.answer({ status: "saved", revision: 4, savedAt: "2026-03-01T10:00:02Z" });
    expect(storage.copy()).toBeNull();
  });

  it("written on an older revision: offered, not applied; using it saves it on the current revision", () => {
    kept(2, "Older unsent words.");
    open({ revision: 3 });
    expect(text.current).toEqual(doc("Version two."));
    expect(session.getView().staleCopy).toMatchObject({
      baseRevision: 2,
      content: doc("Older unsent words."),
    });
    expect(shown()).toBe("Saved");

    session.restoreStaleCopy();
    expect(text.current).toEqual(doc("Older unsent words."));
    expect(session.getView().staleCopy).toBeNull();
    clock.advance(AUTOSAVE_DELAY_MS);
    expect(server.last()).toMatchObject({ revision: 3, content: doc("Older unsent words.") });
  });

  it("written on an older revision and discarded: forgotten", () => {
    kept(2, "Older unsent words.");
    open({ revision: 3 });
    session.discardStaleCopy();
    expect(session.getView().staleCopy).toBeNull();
    expect(storage.copy()).toBeNull();
    expect(text.current).toEqual(doc("Version two."));
  });

  it("the same as the saved draft: forgotten quietly", () => {
    kept(3, "Version two.");
    open({ revision: 3 });
    expect(storage.copy()).toBeNull();
    expect(session.getView()).toMatchObject({ restored: false, staleCopy: null });
    clock.advance(AUTOSAVE_DELAY_MS);
    expect(server.requests).toHaveLength(0);
  });

  it("unreadable storage does not stop the editor", () => {
    storage.getItem = () => {
      throw new Error("SecurityError");
    };
    storage.setItem = storage.getItem;
    open();
    type("Still works.");
    clock.advance(AUTOSAVE_DELAY_MS);
    expect(server.requests).toHaveLength(1);
  });
});

describe("two tabs on one draft", () => {
  /** A second tab of the same browser: same storage, its own name and editor text. */
  function otherTab(tabId: string, revision: number) {
    const otherText = editorText(doc("Version two."));
    const other = createAutosaveSession({
      documentId: 7,
      versionNumber: 2,
      initialRevision: revision,
      tabId,
      csrfToken: "csrf-1",
      saveUrl: "/admin/documents/7/draft",
      fetch: server.fetch,
      storage,
      clock: clock.clock,
    });
    other.attach(otherText);
    return { other, otherText };
  }

  it("a save in one tab keeps the copy the other tab still needs", async () => {
    open();
    const { other, otherText } = otherTab("tab-b", 3);
    type("Tab A's words.");
    otherText.current = doc("Tab B's words.");
    other.changed();
    clock.advance(AUTOSAVE_DELAY_MS);
    // Tab B's save (the second request) arrives; tab A's is refused later.
    await server.answer({ status: "saved", revision: 4, savedAt: "2026-03-01T10:00:02Z" });
    expect(storage.copy("tab-b")).toBeNull();
    expect(storage.copy()).toMatchObject({ baseRevision: 3, content: doc("Tab A's words.") });
  });

  it("after a reload a tab is offered its own text, never the text of another open tab", () => {
    kept(3, "Tab B's words.", "tab-b");
    storage.setItem("redline:tab-alive:tab-b", String(clock.clock.now().getTime()));
    kept(2, "Tab A's older words.");
    open({ revision: 3 });
    expect(text.current).toEqual(doc("Version two."));
    expect(session.getView().staleCopy).toMatchObject({
      content: doc("Tab A's older words."),
      fromClosedTab: false,
    });
    session.discardStaleCopy();
    expect(storage.copy("tab-b")?.content).toEqual(doc("Tab B's words."));
  });

  it("offers what a closed tab left, saying so, and takes it over when used", () => {
    kept(3, "Words of a closed tab.", "tab-gone");
    storage.setItem("redline:tab-alive:tab-gone", String(clock.clock.now().getTime() - 5 * 60_000));
    open({ revision: 3 });
    expect(session.getView().staleCopy).toMatchObject({
      content: doc("Words of a closed tab."),
      fromClosedTab: true,
    });
    session.restoreStaleCopy();
    expect(text.current).toEqual(doc("Words of a closed tab."));
    expect(storage.copy("tab-gone")).toBeNull();
    expect(storage.copy()).toMatchObject({ baseRevision: 3, content: doc("Words of a closed tab.") });
  });

  it("says while it is open that the tab is alive, and stops when the editor leaves", () => {
    open();
    expect(storage.items.has("redline:tab-alive:tab-a")).toBe(true);
    session.dispose();
    expect(storage.items.has("redline:tab-alive:tab-a")).toBe(false);
  });

  it("a conflict says when it was the same person, and carries the redline between the two texts", async () => {
    open();
    type("My wording.");
    clock.advance(AUTOSAVE_DELAY_MS);
    await server.answer(
      {
        status: "conflict",
        message: "You saved this draft in another tab",
        currentRevision: 4,
        savedBy: "me@x.test",
        savedByYou: true,
        redline: { html: "<p><del>Their</del><ins>My</ins> wording.</p>", changesHtml: "<p>…</p>" },
      },
      409,
    );
    expect(session.getView().status).toMatchObject({
      kind: "conflict",
      savedByYou: true,
      redline: { html: "<p><del>Their</del><ins>My</ins> wording.</p>" },
    });
  });

  it("a duplicated tab takes a name of its own and leaves the original's text alone", () => {
    const { other } = otherTab(TAB, 3);
    kept(3, "The original tab's unsaved words.");
    const renamed: string[] = [];
    session = createAutosaveSession({
      documentId: 7,
      versionNumber: 2,
      initialRevision: 3,
      tabId: TAB,
      onTabRenamed: (id) => renamed.push(id),
      newTabId: () => "tab-copy",
      csrfToken: "csrf-1",
      saveUrl: "/admin/documents/7/draft",
      fetch: server.fetch,
      storage,
      clock: clock.clock,
    });
    session.attach(text);
    expect(renamed).toEqual(["tab-copy"]);
    expect(text.current).toEqual(doc("Version two."));
    expect(session.getView()).toMatchObject({ restored: false, staleCopy: null });
    type("The duplicate's words.");
    expect(storage.copy("tab-copy")?.content).toEqual(doc("The duplicate's words."));
    expect(storage.copy()?.content).toEqual(doc("The original tab's unsaved words."));
    other.dispose();
  });

  it("a reloaded tab keeps its name: leaving took its mark away", () => {
    open();
    session.dispose();
    kept(3, "Unsent before the reload.");
    const renamed: string[] = [];
    session = createAutosaveSession({
      documentId: 7,
      versionNumber: 2,
      initialRevision: 3,
      tabId: TAB,
      onTabRenamed: (id) => renamed.push(id),
      csrfToken: "csrf-1",
      saveUrl: "/admin/documents/7/draft",
      fetch: server.fetch,
      storage,
      clock: clock.clock,
    });
    session.attach(text);
    expect(renamed).toEqual([]);
    expect(text.current).toEqual(doc("Unsent before the reload."));
  });
});
