import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { browserStorage, type CopyStorage, tabIdentity } from "./autosave";
import {
  type AutosaveOptions,
  type AutosaveSession,
  type AutosaveView,
  createAutosaveSession,
} from "./autosave-session";

/**
 * The editor's autosave (see autosave-session.ts) for one component: one session per mount, fed by
 * the browser's storage, fetch and timers, retried when the network comes back, and a warning
 * before leaving with unsaved text. The component calls `attach` once its editor exists. Storage,
 * fetch, clock and the tab's name default to the browser's.
 */
export function useAutosave(
  options: Omit<AutosaveOptions, "storage" | "tabId"> & { storage?: CopyStorage; tabId?: string },
): AutosaveView & ReturnType<typeof actions> {
  // The newest callback, without making a new session when the parent renders again.
  const onRevision = useRef(options.onRevision);
  onRevision.current = options.onRevision;
  const [session] = useState(() =>
    createAutosaveSession({
      ...options,
      storage: options.storage ?? browserStorage,
      tabId: options.tabId ?? tabIdentity(tabStorage()),
      onTabRenamed: (tabId) => {
        try {
          tabStorage()?.setItem("redline:tab", tabId);
        } catch {
          // sessionStorage unavailable: the new name lasts as long as the page.
        }
      },
      onRevision: (revision, clean) => onRevision.current?.(revision, clean),
    }),
  );
  const view = useSyncExternalStore(session.subscribe, session.getView, session.getView);

  useEffect(() => {
    const online = () => session.online();
    const beforeUnload = (event: BeforeUnloadEvent) => {
      if (session.hasUnsavedText()) event.preventDefault();
    };
    // Leaving (a reload too) stops the tab's "alive" mark, so the reloaded page is not taken for a
    // duplicate of its predecessor; a page brought back from the back-forward cache says it again.
    const pageHide = () => session.dispose();
    const pageShow = (event: PageTransitionEvent) => {
      if (event.persisted) session.revive();
    };
    window.addEventListener("online", online);
    window.addEventListener("beforeunload", beforeUnload);
    window.addEventListener("pagehide", pageHide);
    window.addEventListener("pageshow", pageShow);
    return () => {
      window.removeEventListener("online", online);
      window.removeEventListener("beforeunload", beforeUnload);
      window.removeEventListener("pagehide", pageHide);
      window.removeEventListener("pageshow", pageShow);
      session.dispose();
    };
  }, [session]);

  return { ...view, ...actions(session) };
}

function actions(session: AutosaveSession) {
  const { attach, changed, saveNow, overwriteWithMine, restoreStaleCopy, discardStaleCopy } = session;
  return { attach, changed, saveNow, overwriteWithMine, restoreStaleCopy, discardStaleCopy };
}

/** This tab's sessionStorage, if the browser lets the page use it (never during the server render). */
function tabStorage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.sessionStorage;
  } catch {
    return null;
  }
}
