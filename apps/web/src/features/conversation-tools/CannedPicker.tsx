import { Group, Loader, ScrollArea, Stack, Text, TextInput, UnstyledButton } from "@mantine/core";
import { IconTemplate } from "@tabler/icons-react";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { ComposerPopover } from "./ComposerPopover";
import { type CannedReply, filterCanned, useCannedReplies } from "./canned";

/** The canned replies matching a query, with one highlighted (the `/` shortcut list and the picker). */
export function CannedList({
  items,
  active,
  onPick,
}: {
  items: CannedReply[];
  active: number;
  onPick: (c: CannedReply) => void;
}) {
  const { t } = useTranslation();
  if (!items.length)
    return (
      <Text size="sm" c="dimmed" p="xs">
        {t("convTools.canned.none")}
      </Text>
    );
  return (
    <ScrollArea.Autosize mah={260} type="auto">
      <Stack gap={0} data-testid="canned-list">
        {items.map((c, i) => (
          <UnstyledButton
            key={c.id}
            px="xs"
            py={6}
            bg={i === active ? "indigo.0" : undefined}
            style={{ borderRadius: 6 }}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onPick(c)}
            data-testid="canned-item"
            data-active={i === active || undefined}
          >
            <Group gap={6} wrap="nowrap">
              <Text size="sm" fw={600} c="indigo.8">
                /{c.shortcut}
              </Text>
              <Text size="sm" truncate>
                {c.title}
              </Text>
            </Group>
            <Text size="xs" c="dimmed" lineClamp={1}>
              {c.text}
            </Text>
          </UnstyledButton>
        ))}
      </Stack>
    </ScrollArea.Autosize>
  );
}

/** The canned-reply button: a searchable list; picking one puts its text in the composer. */
export function CannedPicker({ onPick, disabled }: { onPick: (text: string) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const [opened, setOpened] = useState(false);
  const [q, setQ] = useState("");
  const canned = useCannedReplies();
  const items = useMemo(() => filterCanned(canned.data ?? [], q), [canned.data, q]);
  const pick = (c: CannedReply) => {
    onPick(c.text);
    setOpened(false);
    setQ("");
  };
  return (
    <ComposerPopover
      label={t("convTools.canned.button")}
      testId="canned-button"
      icon={<IconTemplate size={18} />}
      disabled={disabled}
      opened={opened}
      onChange={setOpened}
      width={340}
      padding="xs"
    >
      <TextInput
        size="xs"
        mb={6}
        placeholder={t("convTools.canned.search")}
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && items[0]) {
            e.preventDefault();
            pick(items[0]);
          }
        }}
        data-autofocus
      />
      {canned.isPending ? <Loader size="xs" /> : <CannedList items={items} active={0} onPick={pick} />}
    </ComposerPopover>
  );
}
