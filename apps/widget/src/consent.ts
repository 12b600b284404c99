import { api } from "./api";
import { consent, consentNo, consentText, consentYes } from "./dom";
import { state } from "./state";

/**
 * R307: when the workspace keeps read times only with the customer's consent, the widget asks once the
 * visitor has written (their answer is kept with their contact); answered, the question goes away.
 */
export function renderConsent() {
  const c = state.consent;
  const show = !!c?.asked && c.granted === null && !!state.conversationId;
  consent.hidden = !show;
  if (!show) return;
  const { t } = state;
  consentText.textContent = t.consentQuestion;
  consentYes.textContent = t.consentYes;
  consentNo.textContent = t.consentNo;
}

async function answer(granted: boolean) {
  consentYes.disabled = true;
  consentNo.disabled = true;
  try {
    const res = await api<{ consent: { asked: boolean; granted: boolean | null } }>(
      "PUT",
      "/api/widget/consent",
      { granted },
    );
    if (res.status === 200) state.consent = res.body.consent;
  } finally {
    consentYes.disabled = false;
    consentNo.disabled = false;
    renderConsent();
  }
}

export function wireConsent() {
  consent.hidden = true;
  consentYes.addEventListener("click", () => void answer(true));
  consentNo.addEventListener("click", () => void answer(false));
}
