import { Button, Group, Modal, NumberInput, Stack, TagsInput, TextInput } from "@mantine/core";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { BotSettings } from "./bots-api";

export interface BotDraft {
  name: string;
  avatarUrl: string;
  webhookUrl: string;
  timeLimitSeconds: number;
  handoffKeywords: string[];
}

const EMPTY: BotDraft = {
  name: "",
  avatarUrl: "",
  webhookUrl: "",
  timeLimitSeconds: 300,
  handoffKeywords: [],
};

/** Adding or editing a bot: name, avatar, webhook URL, time limit and hand-off keywords. */
export function BotModal({
  opened,
  initial,
  busy,
  onClose,
  onSave,
}: {
  opened: boolean;
  initial: BotSettings | null;
  busy: boolean;
  onClose: () => void;
  onSave: (draft: BotDraft) => void;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<BotDraft>(EMPTY);
  useEffect(() => {
    if (opened)
      setDraft(
        initial
          ? {
              name: initial.name,
              avatarUrl: initial.avatarUrl ?? "",
              webhookUrl: initial.webhookUrl,
              timeLimitSeconds: initial.timeLimitSeconds,
              handoffKeywords: initial.handoffKeywords,
            }
          : EMPTY,
      );
  }, [opened, initial]);
  const valid =
    draft.name.trim().length > 0 &&
    /^https?:\/\/\S+$/.test(draft.webhookUrl.trim()) &&
    draft.timeLimitSeconds >= 10 &&
    draft.timeLimitSeconds <= 86400;
  return (
    <Modal opened={opened} onClose={onClose} title={initial ? t("bots.editTitle") : t("bots.createTitle")}>
      <Stack>
        <TextInput
          label={t("bots.name")}
          value={draft.name}
          onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
          data-testid="bot-name"
          required
        />
        <TextInput
          label={t("bots.webhookUrl")}
          placeholder="https://bot.example.com/parley"
          value={draft.webhookUrl}
          onChange={(e) => setDraft({ ...draft, webhookUrl: e.currentTarget.value })}
          data-testid="bot-url"
          required
        />
        <TextInput
          label={t("bots.avatarUrl")}
          value={draft.avatarUrl}
          onChange={(e) => setDraft({ ...draft, avatarUrl: e.currentTarget.value })}
        />
        <NumberInput
          label={t("bots.timeLimit")}
          description={t("bots.timeLimitHelp")}
          min={10}
          max={86400}
          value={draft.timeLimitSeconds}
          onChange={(v) => setDraft({ ...draft, timeLimitSeconds: Number(v) || 0 })}
        />
        <TagsInput
          label={t("bots.keywords")}
          description={t("bots.keywordsHelp")}
          value={draft.handoffKeywords}
          onChange={(v) => setDraft({ ...draft, handoffKeywords: v })}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("bots.cancel")}
          </Button>
          <Button disabled={!valid} loading={busy} onClick={() => onSave(draft)} data-testid="bot-save">
            {t("bots.save")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
