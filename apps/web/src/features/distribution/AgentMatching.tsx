import { Badge, Group, MultiSelect, Table, TagsInput, TextInput } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useTags } from "../inbox/inbox-tools-api";
import { type DistributionPanel, useSaveAgent } from "./distribution-api";

type Agent = DistributionPanel["agents"][number];

/** `whatsapp=5, telegram=3` ⇄ `{ whatsapp: 5, telegram: 3 }`; the server checks the channel types. */
const limitsText = (m: Record<string, number>) =>
  Object.entries(m)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
function parseLimits(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(",")) {
    const [k, v] = part.split(/[=:]/).map((x) => x.trim());
    if (k) out[k.toLowerCase()] = Number(v);
  }
  return out;
}

/** The language's name in the interface's language (the code when the browser does not know it). */
function languageName(code: string, uiLanguage: string) {
  try {
    return new Intl.DisplayNames([uiLanguage], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * An agent's matching cells: the languages they speak (ISO 639-1 codes), the contact tags they handle, and
 * their most open conversations per channel type with the current count of each.
 */
export function AgentMatchingCells({ agent: a, canEdit }: { agent: Agent; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const save = useSaveAgent();
  const tags = useTags(canEdit);
  const tagOptions = (tags.data ?? []).map((x) => ({ value: x.id, label: x.name }));
  return (
    <>
      <Table.Td data-testid="languages">
        {canEdit ? (
          <TagsInput
            w={160}
            size="xs"
            aria-label={t("distribution.languages")}
            defaultValue={a.languages}
            onChange={(languages) => save.mutate({ userId: a.id, body: { languages } })}
          />
        ) : (
          <Group gap={4}>
            {a.languages.map((l) => (
              <Badge key={l} variant="light" title={languageName(l, i18n.language)}>
                {l}
              </Badge>
            ))}
          </Group>
        )}
      </Table.Td>
      <Table.Td data-testid="tags">
        {canEdit ? (
          <MultiSelect
            w={180}
            size="xs"
            aria-label={t("distribution.tags")}
            data={tagOptions}
            value={a.tagIds.filter((id) => tagOptions.some((o) => o.value === id))}
            onChange={(tagIds) => save.mutate({ userId: a.id, body: { tagIds } })}
          />
        ) : (
          a.tagIds.length
        )}
      </Table.Td>
      <Table.Td data-testid="channel-limits">
        <Group gap={4} mb={canEdit ? 4 : 0}>
          {Object.entries(a.channelMaxOpen).map(([channel, max]) => (
            <Badge
              key={channel}
              variant="outline"
            >{`${channel} ${a.openByChannel[channel] ?? 0} / ${max}`}</Badge>
          ))}
        </Group>
        {canEdit ? (
          <TextInput
            w={170}
            size="xs"
            aria-label={t("distribution.channelLimits")}
            placeholder={t("distribution.channelLimitsPlaceholder")}
            defaultValue={limitsText(a.channelMaxOpen)}
            onBlur={(e) => {
              const text = e.currentTarget.value.trim();
              if (text === limitsText(a.channelMaxOpen)) return;
              const channelMaxOpen = parseLimits(text) as NonNullable<
                Parameters<typeof save.mutate>[0]["body"]["channelMaxOpen"]
              >;
              save.mutate({ userId: a.id, body: { channelMaxOpen } });
            }}
          />
        ) : null}
      </Table.Td>
    </>
  );
}
