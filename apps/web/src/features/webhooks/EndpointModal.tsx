import { Button, Checkbox, Group, Modal, Stack, Textarea, TextInput } from "@mantine/core";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { enWebhooks } from "../../i18n/locales/en/webhooks";
import type { WebhookEndpoint } from "./webhooks-api";

/** The translation key of an event type's explanation (dots become underscores). */
type HelpKey = keyof typeof enWebhooks.webhooks.eventHelp;

export interface EndpointDraft {
  url: string;
  description: string;
  events: WebhookEndpoint["events"];
}

/** Creating or editing an endpoint: its URL, a description and the events it receives. */
export function EndpointModal({
  opened,
  initial,
  eventTypes,
  busy,
  onClose,
  onSave,
}: {
  opened: boolean;
  initial: EndpointDraft | null;
  eventTypes: WebhookEndpoint["events"];
  busy: boolean;
  onClose: () => void;
  onSave: (draft: EndpointDraft) => void;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<EndpointDraft>({ url: "", description: "", events: [] });
  useEffect(() => {
    if (opened) setDraft(initial ?? { url: "", description: "", events: [...eventTypes] });
  }, [opened, initial, eventTypes]);
  const valid = /^https?:\/\/\S+$/.test(draft.url.trim()) && draft.events.length > 0;
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={initial ? t("webhooks.editTitle") : t("webhooks.createTitle")}
      size="lg"
    >
      <Stack>
        <TextInput
          label={t("webhooks.url")}
          placeholder="https://example.com/parley/webhooks"
          value={draft.url}
          onChange={(e) => setDraft({ ...draft, url: e.currentTarget.value })}
          data-testid="webhook-url"
          required
        />
        <Textarea
          label={t("webhooks.description")}
          value={draft.description}
          onChange={(e) => setDraft({ ...draft, description: e.currentTarget.value })}
          autosize
          minRows={1}
          data-testid="webhook-description"
        />
        <Checkbox.Group
          label={t("webhooks.events")}
          value={draft.events}
          onChange={(v) => setDraft({ ...draft, events: v as EndpointDraft["events"] })}
        >
          <Stack gap={6} mt={6}>
            {eventTypes.map((type) => (
              <Checkbox
                key={type}
                value={type}
                label={`${type} — ${t(`webhooks.eventHelp.${type.replace(".", "_") as HelpKey}`)}`}
                data-testid={`webhook-event-${type}`}
              />
            ))}
          </Stack>
        </Checkbox.Group>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("webhooks.cancel")}
          </Button>
          <Button
            disabled={!valid}
            loading={busy}
            onClick={() => onSave({ ...draft, url: draft.url.trim() })}
            data-testid="webhook-save"
          >
            {t("webhooks.save")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
