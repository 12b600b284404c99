import {
  Alert,
  Badge,
  Button,
  Center,
  ColorInput,
  Group,
  Loader,
  Select,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { IconTrash } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { del, get, patch, post } from "../../api/client";
import type { Session } from "../../api/queries";
import type { Answer } from "../../api/types";
import { showErrorWithReason } from "../../lib/notify";
import { can } from "../../lib/permissions";
import { PageShell } from "../layout/AppHeader";

type Tag = Answer<"/api/tags">["tags"][number];

export const TAG_SWATCHES = [
  "#868e96",
  "#fa5252",
  "#e64980",
  "#be4bdb",
  "#4c6ef5",
  "#1c7ed6",
  "#12b886",
  "#40c057",
  "#fab005",
  "#fd7e14",
];

/** Settings → Tags (`content.manage`): rename, recolour, merge and delete the workspace's contact tags. */
export default function TagsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const allowed = can(session, "content.manage");
  const tags = useQuery({
    queryKey: ["tags"],
    queryFn: () => get<Answer<"/api/tags">>("/api/tags").then((r) => r.tags),
  });
  return (
    <PageShell session={session}>
      <Title order={2}>{t("agentDay.tags.title")}</Title>
      <Text c="dimmed" size="sm" mb="lg">
        {t("agentDay.tags.subtitle")}
      </Text>
      {!allowed ? (
        <Alert color="gray" variant="light">
          {t("agentDay.tags.forbidden")}
        </Alert>
      ) : !tags.data ? (
        <Center py="xl">
          <Loader size="sm" />
        </Center>
      ) : tags.data.length === 0 ? (
        <Text c="dimmed" data-testid="tags-empty">
          {t("agentDay.tags.empty")}
        </Text>
      ) : (
        <Table verticalSpacing="xs" data-testid="tags-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("agentDay.tags.name")}</Table.Th>
              <Table.Th>{t("agentDay.tags.color")}</Table.Th>
              <Table.Th>{t("agentDay.tags.contacts")}</Table.Th>
              <Table.Th>{t("agentDay.tags.merge")}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tags.data.map((tag) => (
              <TagRow key={`${tag.id}:${tag.name}:${tag.color}`} tag={tag} all={tags.data} />
            ))}
          </Table.Tbody>
        </Table>
      )}
    </PageShell>
  );
}

function TagRow({ tag, all }: { tag: Tag; all: Tag[] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(tag.name);
  const [color, setColor] = useState(tag.color);
  const [into, setInto] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const refresh = () => qc.invalidateQueries({ queryKey: ["tags"] });
  const edit = useMutation({
    mutationFn: (body: { name?: string; color?: string }) => patch(`/api/tags/${tag.id}`, body),
    onSuccess: refresh,
    onError: (err) => {
      setName(tag.name);
      setColor(tag.color);
      showErrorWithReason(t, err);
    },
  });
  const merge = useMutation({
    mutationFn: (target: string) => post(`/api/tags/${tag.id}/merge`, { into: target }),
    onSuccess: refresh,
    onError: (err) => showErrorWithReason(t, err),
  });
  const remove = useMutation({
    mutationFn: () => del(`/api/tags/${tag.id}`),
    onSuccess: refresh,
    onError: (err) => showErrorWithReason(t, err),
  });
  const saveName = () => {
    const next = name.trim();
    if (next && next !== tag.name) edit.mutate({ name: next });
    else setName(tag.name);
  };
  const saveColor = (value: string) => {
    if (/^#[0-9a-f]{6}$/i.test(value) && value.toLowerCase() !== tag.color.toLowerCase())
      edit.mutate({ color: value });
  };
  return (
    <Table.Tr data-testid="tag-row" data-tag-name={tag.name}>
      <Table.Td>
        <TextInput
          size="xs"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          onBlur={saveName}
          onKeyDown={(e) => e.key === "Enter" && saveName()}
          aria-label={t("agentDay.tags.name")}
          data-testid="tag-name"
          leftSection={<Badge size="xs" circle color={tag.color} />}
        />
      </Table.Td>
      <Table.Td>
        <ColorInput
          size="xs"
          w={140}
          value={color}
          onChange={setColor}
          onChangeEnd={saveColor}
          onBlur={() => saveColor(color)}
          swatches={TAG_SWATCHES}
          aria-label={t("agentDay.tags.color")}
          data-testid="tag-color"
        />
      </Table.Td>
      <Table.Td data-testid="tag-count">{tag.contactCount}</Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Select
            size="xs"
            w={160}
            placeholder={t("agentDay.tags.mergeInto")}
            data={all.filter((x) => x.id !== tag.id).map((x) => ({ value: x.id, label: x.name }))}
            value={into}
            onChange={setInto}
            data-testid="tag-merge-into"
          />
          <Button
            size="xs"
            variant="light"
            disabled={!into}
            loading={merge.isPending}
            onClick={() => into && merge.mutate(into)}
            data-testid="tag-merge"
          >
            {t("agentDay.tags.mergeButton")}
          </Button>
        </Group>
      </Table.Td>
      <Table.Td>
        <Button
          size="xs"
          color="red"
          variant={confirmDelete ? "filled" : "subtle"}
          leftSection={<IconTrash size={14} />}
          loading={remove.isPending}
          onClick={() => (confirmDelete ? remove.mutate() : setConfirmDelete(true))}
          onBlur={() => setConfirmDelete(false)}
          data-testid={confirmDelete ? "tag-delete-confirm" : "tag-delete"}
        >
          {confirmDelete
            ? t("agentDay.tags.deleteConfirm", { count: tag.contactCount })
            : t("agentDay.tags.delete")}
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}
