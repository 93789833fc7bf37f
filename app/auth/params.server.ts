import type { Params } from "@remix-run/react";
import type { Document } from "../../db/tables";
import { parsePositiveInteger } from "../core/identifiers";
import { getDocument } from "../models/documents.server";

/** The document a route's `$id` names, or a 404 response. */
export async function documentFromParams(params: Params): Promise<Document> {
  const id = parsePositiveInteger(params.id);
  const document = id ? await getDocument(id) : undefined;
  if (!document) throw new Response("There is no such document.", { status: 404 });
  return document;
}
