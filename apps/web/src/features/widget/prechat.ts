/** The fields a widget may ask a visitor for before the chat starts. */
export const PRECHAT = ["name", "email", "phone"] as const;
