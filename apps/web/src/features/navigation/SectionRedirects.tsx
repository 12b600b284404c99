import { Navigate, Route } from "react-router";
import type { Session } from "../../api/queries";
import { allowedPages, SECTIONS } from "./pages";

/**
 * A section's bare address (`/settings`, `/reports`) opens its first page the person may see. The pages keep
 * the addresses they always had, so older links and bookmarks open them as before.
 */
export function SectionRedirects(session: Session) {
  return SECTIONS.map((s) => {
    const first = allowedPages(session, s.pages)[0];
    return (
      <Route
        key={s.base}
        path={s.base}
        element={<Navigate to={first?.path ?? "/inbox?view=mine"} replace />}
      />
    );
  });
}
