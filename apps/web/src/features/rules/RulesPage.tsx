import { ActionIcon, Alert, Badge, Button, Group, Stack, Switch, Table, Text, Title } from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Session } from "../../api/queries";
import { can } from "../../lib/permissions";
import { PageShell } from "../layout/AppHeader";
import { RuleEditor } from "./RuleEditor";
import { RunLog } from "./RunLog";
import {
  emptyDraft,
  type RuleItem,
  toDraft,
  useDeleteRule,
  useReorderRules,
  useRules,
  useSaveRule,
} from "./rules-api";

type Editing = { id: string | null; rule?: RuleItem } | null;

/**
 * `/settings/rules`: the workspace's automation rules in the order they run (moved up and down), each with
 * its switch, the editor (trigger, conditions, actions, stop-processing, dry run) and its run log.
 */
export default function RulesPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const rules = useRules();
  const reorder = useReorderRules();
  const remove = useDeleteRule();
  const save = useSaveRule();
  const [editing, setEditing] = useState<Editing>(null);
  const [logOf, setLogOf] = useState<RuleItem | null>(null);
  if (!can(session, "automation.manage"))
    return (
      <PageShell session={session}>
        <Alert color="yellow">{t("rules.notAllowed")}</Alert>
      </PageShell>
    );
  const list = rules.data ?? [];
  const move = (i: number, by: -1 | 1) => {
    const ids = list.map((r) => r.id);
    const [id] = ids.splice(i, 1);
    ids.splice(i + by, 0, id!);
    reorder.mutate(ids);
  };
  return (
    <PageShell session={session}>
      <Stack gap="lg">
        <Group justify="space-between">
          <Title order={3}>{t("rules.title")}</Title>
          <Button
            leftSection={<IconPlus size={16} />}
            data-testid="rule-new"
            onClick={() => setEditing({ id: null })}
            disabled={!!editing}
          >
            {t("rules.new")}
          </Button>
        </Group>
        <Text c="dimmed">{t("rules.intro")}</Text>
        {editing ? (
          <RuleEditor
            key={editing.id ?? "new"}
            id={editing.id}
            initial={editing.rule ? toDraft(editing.rule) : emptyDraft()}
            onDone={() => setEditing(null)}
          />
        ) : null}
        {rules.data && !list.length ? <Text c="dimmed">{t("rules.empty")}</Text> : null}
        {list.length ? (
          <Table data-testid="rules-list">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("rules.order")}</Table.Th>
                <Table.Th>{t("rules.name")}</Table.Th>
                <Table.Th>{t("rules.trigger")}</Table.Th>
                <Table.Th>{t("rules.enabled")}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((r, i) => (
                <Table.Tr key={r.id} data-testid={`rule-row-${r.name}`}>
                  <Table.Td>
                    <Group gap={2} wrap="nowrap">
                      <ActionIcon
                        variant="subtle"
                        aria-label={t("rules.moveUp", { name: r.name })}
                        disabled={i === 0 || reorder.isPending}
                        onClick={() => move(i, -1)}
                      >
                        <IconArrowUp size={16} />
                      </ActionIcon>
                      <ActionIcon
                        variant="subtle"
                        aria-label={t("rules.moveDown", { name: r.name })}
                        disabled={i === list.length - 1 || reorder.isPending}
                        onClick={() => move(i, 1)}
                      >
                        <IconArrowDown size={16} />
                      </ActionIcon>
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Button variant="subtle" size="compact-sm" onClick={() => setLogOf(r)}>
                      {r.name}
                    </Button>
                    {r.stopProcessing ? (
                      <Badge ml="xs" variant="light" color="gray">
                        {t("rules.stops")}
                      </Badge>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{t(`rules.triggers.${r.trigger}`)}</Table.Td>
                  <Table.Td>
                    <Switch
                      aria-label={t("rules.enableNamed", { name: r.name })}
                      checked={r.enabled}
                      onChange={(e) =>
                        save.mutate({ id: r.id, draft: { ...toDraft(r), enabled: e.currentTarget.checked } })
                      }
                    />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={2} wrap="nowrap" justify="flex-end">
                      <ActionIcon
                        variant="subtle"
                        aria-label={t("rules.edit", { name: r.name })}
                        onClick={() => setEditing({ id: r.id, rule: r })}
                      >
                        <IconPencil size={16} />
                      </ActionIcon>
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={t("rules.delete", { name: r.name })}
                        onClick={() => {
                          if (window.confirm(t("rules.confirmDelete", { name: r.name }))) remove.mutate(r.id);
                        }}
                      >
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : null}
        {logOf ? <RunLog ruleId={logOf.id} name={logOf.name} /> : null}
      </Stack>
    </PageShell>
  );
}
