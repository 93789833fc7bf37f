import type { ApiKey } from "../../db/tables";
import { BodyError, parseJsonText, readJsonBody as readJson, readTextBody } from "../http/body.server";
import { jsonError } from "../http/json.server";
import { authenticateApiKey } from "../models/api-keys.server";

/** The credential in an `Authorization: Bearer <token>` header: an API key or a user token. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1] : null;
}

/** The live API key presented by the request; throws a 401 Response without one. */
export async function requireApiKey(request: Request): Promise<ApiKey> {
  const key = await authenticateApiKey(bearerToken(request));
  if (!key) {
    throw jsonError(
      401,
      "a valid API key is required: Authorization: Bearer <key> (redline apikey create <name>)",
    );
  }
  return key;
}

/** A refused body as the JSON APIs answer it: `{ error }` with its 4xx status. */
function asJsonError(error: unknown): unknown {
  return error instanceof BodyError ? jsonError(error.status, error.message) : error;
}

/** The raw body as UTF-8 text, at most `maxBytes` (see ADR 13); refusals are thrown as JSON 4xx. */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  try {
    return await readTextBody(request, maxBytes);
  } catch (error) {
    throw asJsonError(error);
  }
}

/**
 * A JSON body of at most `maxBytes` sent as application/json; refusals are thrown as JSON 4xx.
 * With `optional`, an empty body is `undefined`.
 */
export async function readJsonBody(
  request: Request,
  maxBytes: number,
  options: { optional?: boolean } = {},
): Promise<unknown> {
  try {
    return await readJson(request, maxBytes, options);
  } catch (error) {
    throw asJsonError(error);
  }
}

/** JSON text (e.g. a verified webhook payload) parsed with the body rules; refusals as JSON 400. */
export function parseJson(text: string): unknown {
  try {
    return parseJsonText(text);
  } catch (error) {
    throw asJsonError(error);
  }
}
