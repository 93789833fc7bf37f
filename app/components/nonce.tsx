import { createContext, type ReactNode, useContext } from "react";

/**
 * The Content-Security-Policy nonce of this response (epic-stack's NonceProvider). The server
 * provides the request's nonce (app/entry.server.tsx); in the browser nothing provides it and the
 * value is "": browsers hide a nonce attribute once the document is parsed (`getAttribute("nonce")`
 * answers ""), so "" is exactly what hydration finds in the DOM, and scripts added after hydration
 * are trusted through 'strict-dynamic', not through the nonce.
 */
const NonceContext = createContext("");

export function NonceProvider({ nonce, children }: { nonce: string; children: ReactNode }) {
  return <NonceContext.Provider value={nonce}>{children}</NonceContext.Provider>;
}

/** The nonce to put on inline scripts rendered on the server (Remix's <Scripts>, <ScrollRestoration>). */
export function useNonce(): string {
  return useContext(NonceContext);
}
