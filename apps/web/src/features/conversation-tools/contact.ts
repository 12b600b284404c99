import type { Answer } from "../../api/types";

/** A contact as the side panel edits it, with its tags. */
export type Contact = Answer<"/api/contacts/{id}">["contact"];
