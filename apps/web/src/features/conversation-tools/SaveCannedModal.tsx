import { Button, Group, Modal, Stack, Textarea, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { post } from "../../api/client";
import { showError } from "../../lib/notify";

/** Turns a message's text into a canned reply with a shortcut (R203). */
export function SaveCannedModal({ text, onClose }: { text: string; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [shortcut, setShortcut] = useState("");
  const [title, setTitle] = useState(text.split("\n")[0]!.slice(0, 60));
  const [body, setBody] = useState(text.slice(0, 4000));
  const save = useMutation({
    mutationFn: () => post("/api/canned-replies", { shortcut, title, text: body }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["canned"] });
      notifications.show({ color: "teal", message: t("convTools.canned.saved", { shortcut }) });
      onClose();
    },
    onError: (err) => showError(t, err),
  });
  const valid = /^[\p{L}\p{N}_-]{1,32}$/u.test(shortcut) && title.trim() && body.trim();
  return (
    <Modal opened onClose={onClose} title={t("convTools.canned.saveTitle")} data-testid="save-canned">
      <Stack>
        <TextInput
          label={t("convTools.canned.shortcut")}
          description={t("convTools.canned.shortcutHint")}
          leftSection="/"
          value={shortcut}
          onChange={(e) => setShortcut(e.currentTarget.value.trim())}
          data-testid="canned-shortcut"
          data-autofocus
        />
        <TextInput
          label={t("convTools.canned.title")}
          value={title}
          onChange={(e) => setTitle(e.currentTarget.value)}
        />
        <Textarea
          label={t("convTools.canned.text")}
          autosize
          minRows={3}
          value={body}
          onChange={(e) => setBody(e.currentTarget.value)}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("convTools.cancel")}
          </Button>
          <Button
            disabled={!valid}
            loading={save.isPending}
            onClick={() => save.mutate()}
            data-testid="canned-save"
          >
            {t("convTools.save")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
