/** The one owner aistor reports in listings (single-tenant: the root user owns everything). */
import { el, type XmlFragment } from "../xml.ts";

/** Canonical user id reported as the owner (64 hex digits, as AWS canonical ids are). */
export const ownerId = "02d6176db174dc93cb1b899f7c6078f08654445fe8cf1b6ce98d8855f66bdbf4";
export const ownerDisplayName = "aistor";

export function ownerElement(name = "Owner"): XmlFragment {
  return el(name, el("ID", ownerId), el("DisplayName", ownerDisplayName));
}
