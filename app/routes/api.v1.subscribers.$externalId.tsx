import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { normaliseSubscriber, subscriberProblems } from "~/core/notify/subscriber";
import { isRefusal } from "~/core/refusal";
import { BODY_LIMITS } from "~/http/body.server";
import { fieldProblems, json, jsonError } from "~/http/json.server";
import { refusalJson } from "~/http/refusals.server";
import { eraseSubscriber, getSubscriberRecord, upsertSubscriber } from "~/models/subscribers.server";
import { readJsonBody, requireApiKey } from "~/notify/http.server";
import { externalIdOf } from "~/notify/notices-api.server";

/** The body's shape; the field rules themselves are shared with the CSV import. */
const Body = z.strictObject({
  email: z.string(),
  name: z.string().nullish(),
  locale: z.string().nullish(),
  attributes: z.record(z.string(), z.unknown()).nullish(),
});

/** A refused upsert or erasure as the API answers it (404 unknown, 409 erased). */
function fromRefusal(error: unknown): never {
  if (isRefusal(error)) throw refusalJson(error);
  throw error;
}

/** GET: everything stored about the subscriber (access and portability). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireApiKey(request);
  const externalId = externalIdOf(params);
  const record = await getSubscriberRecord(externalId);
  if (!record) return jsonError(404, `no subscriber "${externalId}"`);
  return json(record);
}

/** PUT upserts; DELETE erases the personal data and keeps the pseudonymous proof of notices. */
export async function action({ request, params }: ActionFunctionArgs) {
  const apiKey = await requireApiKey(request);
  const externalId = externalIdOf(params);
  if (request.method === "DELETE") {
    const { alreadyErased } = await eraseSubscriber({
      externalId,
      actor: { kind: "system" },
      via: `api-key:${apiKey.name}`,
    }).catch(fromRefusal);
    return json({ externalId, status: "erased", alreadyErased });
  }
  if (request.method !== "PUT")
    return jsonError(405, `${request.method} is not allowed here: use GET, PUT or DELETE`);
  const parsed = Body.safeParse(await readJsonBody(request, BODY_LIMITS.subscriber));
  if (!parsed.success) {
    return jsonError(400, "the subscriber is not valid", { details: fieldProblems(parsed.error) });
  }
  const problems = subscriberProblems({ externalId, ...parsed.data });
  if (problems.length > 0) return jsonError(400, "the subscriber is not valid", { details: problems });
  const { subscriber, created } = await upsertSubscriber(
    normaliseSubscriber({
      externalId,
      ...parsed.data,
      attributes: parsed.data.attributes as Record<string, string>,
    }),
  ).catch(fromRefusal);
  const { id: _id, ...visible } = subscriber;
  return json(visible, created ? 201 : 200);
}
