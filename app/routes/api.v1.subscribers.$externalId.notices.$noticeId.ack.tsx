import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { ACKNOWLEDGEMENT_CHANNELS } from "~/core/notify/statuses";
import { BODY_LIMITS } from "~/http/body.server";
import { fieldProblems, jsonError } from "~/http/json.server";
import { readJsonBody, requireApiKey } from "~/notify/http.server";
import { acknowledgementResponse, externalIdOf, noticeIdOf } from "~/notify/notices-api.server";

/** An empty body, or `{ "channel": "api" | "dashboard" | "email" }` saying where the person acknowledged. */
const Body = z.strictObject({ channel: z.enum(ACKNOWLEDGEMENT_CHANNELS).optional() });

/**
 * POST /api/v1/subscribers/:externalId/notices/:noticeId/ack (API key): records that the
 * subscriber acknowledged the notice. Idempotent: 201 the first time, 200 with the first record
 * after that. 404 for a notice that does not exist or was not addressed to this subscriber.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const apiKey = await requireApiKey(request);
  if (request.method !== "POST") return jsonError(405, `${request.method} is not allowed here: use POST`);
  const externalId = externalIdOf(params);
  const noticeId = noticeIdOf(params);
  const body = await readJsonBody(request, BODY_LIMITS.acknowledgement, { optional: true });
  const parsed = Body.safeParse(body === undefined ? {} : body);
  if (!parsed.success) {
    return jsonError(
      400,
      'the body is optional; when given it is {"channel": "api" | "dashboard" | "email"}',
      { details: fieldProblems(parsed.error) },
    );
  }
  return acknowledgementResponse({
    externalId,
    noticeId,
    channel: parsed.data.channel ?? "api",
    via: `api-key:${apiKey.name}`,
  });
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireApiKey(request);
  return jsonError(405, "GET is not allowed here: use POST");
}
