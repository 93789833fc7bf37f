import type { ApiKey } from "../../db/schema";
import { authenticateApiKey, bearerToken } from "../models/api-keys.server";

/** A JSON response; errors carry `{ error, details? }` so clients can show the reason. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

export function jsonError(status: number, error: string, details?: unknown): Response {
  return json(details === undefined ? { error } : { error, details }, status);
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

/**
 * Reads a request body of at most `maxBytes`, refusing larger ones with 413 before reading them
 * whole (a declared Content-Length is checked first, then the bytes actually received).
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => jsonError(413, `the request body is larger than ${maxBytes} bytes`);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const text = await readBodyText(request, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw jsonError(400, "the request body is not valid JSON");
  }
}
