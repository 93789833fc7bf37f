import type { Params } from "@remix-run/react";
import type { Document } from "../../db/schema";
import { getDocument } from "../models/documents.server";

function positiveInteger(value: string | undefined): number | null {
  return value && /^[1-9]\d{0,9}$/.test(value) ? Number(value) : null;
}

/** The document a route's `$id` names, or a 404 response. */
export async function documentFromParams(params: Params): Promise<Document> {
  const id = positiveInteger(params.id);
  const document = id ? await getDocument(id) : undefined;
  if (!document) throw new Response("There is no such document.", { status: 404 });
  return document;
}

export function numberParam(value: string | null | undefined): number | null {
  return positiveInteger(value ?? undefined);
}
