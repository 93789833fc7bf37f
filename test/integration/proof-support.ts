import type { AppLoadContext } from "@remix-run/node";
/** Helpers shared by the proof tests (test/integration/proof-*.test.ts). */
import { eq } from "drizzle-orm";
import { db } from "../../app/models/db.server";
import { first } from "../../db/dialect";
import { notices } from "../../db/tables";
import { testLoadContext } from "../support/load-context";

type RouteModule = {
  loader?: (args: never) => Promise<Response>;
  action?: (args: never) => Promise<Response>;
};

/** Calls a resource route's loader (GET, HEAD, OPTIONS) or action (everything else) as Remix does. */
export async function callRoute(
  route: RouteModule,
  {
    method = "GET",
    path,
    params,
    headers = {},
    body,
  }: {
    method?: string;
    path: string;
    params: Record<string, string>;
    headers?: Record<string, string>;
    body?: string;
  },
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> & { error?: string } }> {
  const request = new Request(`http://localhost${path}`, { method, headers, body });
  const handler = (["GET", "HEAD", "OPTIONS"].includes(method)
    ? route.loader
    : route.action) as unknown as (args: {
    request: Request;
    params: Record<string, string>;
    context: AppLoadContext;
  }) => Promise<Response>;
  let response: Response;
  try {
    response = await handler({ request, params, context: testLoadContext() });
  } catch (thrown) {
    if (thrown instanceof Response) response = thrown;
    else throw thrown;
  }
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

/** The id of the (only) notice of a version. */
export async function noticeOf(versionId: number): Promise<number> {
  return (await first(db().select({ id: notices.id }).from(notices).where(eq(notices.versionId, versionId))))!
    .id;
}
