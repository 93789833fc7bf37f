import type { AppLoadContext } from "@remix-run/node";
import { describeMailTransport } from "../../app/notify/transport.server";

/** The load context the HTTP shell gives a request, for tests that call a loader or action directly. */
export function testLoadContext(overrides: Partial<AppLoadContext> = {}): AppLoadContext {
  return {
    services: { mail: describeMailTransport("capture", null) },
    clientAddress: "127.0.0.1",
    requestId: "test-request",
    cspNonce: "test-nonce",
    ...overrides,
  };
}
