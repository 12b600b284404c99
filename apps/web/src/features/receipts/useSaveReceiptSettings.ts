import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { patch } from "../../api/client";
import { type ReceiptSettingsView, receiptKeys } from "../../api/receipts";
import { showError } from "../../lib/notify";

/** Saves some of the workspace's receipt settings; the answer is the new view of them. */
export function useSaveReceiptSettings() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<ReceiptSettingsView["settings"]>) =>
      patch<ReceiptSettingsView>("/api/receipts/settings", body),
    onSuccess: (view) => qc.setQueryData(receiptKeys.settings, view),
    onError: (err) => showError(t, err),
  });
}
