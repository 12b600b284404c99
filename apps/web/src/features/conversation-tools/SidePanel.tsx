import {
  ActionIcon,
  Anchor,
  Badge,
  Box,
  Button,
  Checkbox,
  Group,
  Image,
  Paper,
  ScrollArea,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { Attachment, Conversation, Task, TaskKind } from "@parley/protocol";
import {
  IconDownload,
  IconLink,
  IconLinkOff,
  IconPin,
  IconPinnedFilled,
  IconSend,
  IconX,
} from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { del, get, patch, post, put } from "../../api/client";
import { keys } from "../../api/queries";
import { errorText, errorWithReason } from "../../lib/errors";
import { fullDateTime } from "../../lib/format";
import { addOwnMessage } from "../../realtime/apply";
import { contactName } from "../inbox/ContactAvatar";
import { isImage, previewUrl } from "./tools";

interface ContactTag {
  id: string;
  name: string;
  color: string;
  pinned: boolean;
}
interface Contact {
  id: string;
  name: string | null;
  nickname: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  avatarUrl: string | null;
  blocked: boolean;
  tags: ContactTag[];
}

const onError = (t: (k: never) => string) => (err: unknown) =>
  notifications.show({ color: "red", message: errorWithReason(t as never, err) });

/** The side panel of a conversation: the contact (R211), its files (R210) and its tasks (R212). */
export function SidePanel({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  return (
    <Tabs
      defaultValue="contact"
      h="100%"
      display="flex"
      style={{ flexDirection: "column" }}
      data-testid="side-panel"
    >
      <Tabs.List grow>
        <Tabs.Tab value="contact" data-testid="panel-tab-contact">
          {t("convTools.panel.contact")}
        </Tabs.Tab>
        <Tabs.Tab value="files" data-testid="panel-tab-files">
          {t("convTools.panel.files")}
        </Tabs.Tab>
        <Tabs.Tab value="tasks" data-testid="panel-tab-tasks">
          {t("convTools.panel.tasks")}
        </Tabs.Tab>
      </Tabs.List>
      <ScrollArea style={{ flex: 1 }} p="sm">
        <Tabs.Panel value="contact">
          <ContactPanel conversation={conversation} />
        </Tabs.Panel>
        <Tabs.Panel value="files">
          <FilesPanel conversation={conversation} />
        </Tabs.Panel>
        <Tabs.Panel value="tasks">
          <TasksPanel conversation={conversation} />
        </Tabs.Panel>
      </ScrollArea>
    </Tabs>
  );
}

const FIELDS = ["name", "nickname", "company", "email", "phone"] as const;

function ContactPanel({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const id = conversation.contact.id;
  const contact = useQuery({
    queryKey: ["contact", id],
    queryFn: () => get<{ contact: Contact }>(`/api/contacts/${id}`).then((r) => r.contact),
  });
  const [form, setForm] = useState<Record<(typeof FIELDS)[number], string>>({
    name: "",
    nickname: "",
    company: "",
    email: "",
    phone: "",
  });
  useEffect(() => {
    const c = contact.data;
    if (c)
      setForm({
        name: c.name ?? "",
        nickname: c.nickname ?? "",
        company: c.company ?? "",
        email: c.email ?? "",
        phone: c.phone ?? "",
      });
  }, [contact.data]);
  const setContact = (c: Contact) => {
    qc.setQueryData(["contact", id], c);
    qc.setQueryData<Conversation>(keys.conversation(conversation.id), (x) =>
      x
        ? {
            ...x,
            contact: { ...x.contact, name: c.name, nickname: c.nickname, email: c.email, phone: c.phone },
          }
        : x,
    );
  };
  const save = useMutation({
    mutationFn: () =>
      patch<{ contact: Contact }>(
        `/api/contacts/${id}`,
        Object.fromEntries(FIELDS.map((f) => [f, form[f].trim() || null])),
      ),
    onSuccess: (r) => {
      setContact(r.contact);
      notifications.show({ color: "teal", message: t("convTools.contact.saved") });
    },
    onError: onError(t as never),
  });
  const source = Object.entries(conversation.source ?? {});
  return (
    <Stack gap="xs">
      {FIELDS.map((f) => (
        <TextInput
          key={f}
          size="xs"
          label={t(`convTools.contact.${f}`)}
          value={form[f]}
          onChange={(e) => {
            const v = e.currentTarget.value;
            setForm((cur) => ({ ...cur, [f]: v }));
          }}
          data-testid={`contact-${f}`}
        />
      ))}
      <Button size="xs" loading={save.isPending} onClick={() => save.mutate()} data-testid="contact-save">
        {t("convTools.save")}
      </Button>
      {contact.data ? <ContactTags contact={contact.data} onChange={setContact} /> : null}
      <Box>
        <Text size="xs" fw={700} mb={4}>
          {t("convTools.contact.source")}
        </Text>
        {source.length ? (
          source.map(([k, v]) => (
            <Text key={k} size="xs" style={{ overflowWrap: "anywhere" }} data-testid="contact-source">
              <Text span c="dimmed" size="xs">
                {t(`convTools.source.${k}` as never, { defaultValue: k })}:
              </Text>{" "}
              {v}
            </Text>
          ))
        ) : (
          <Text size="xs" c="dimmed">
            {t("convTools.contact.noSource")}
          </Text>
        )}
      </Box>
      <ContactLinks contactId={id} />
    </Stack>
  );
}

function ContactTags({ contact, onChange }: { contact: Contact; onChange: (c: Contact) => void }) {
  const { t } = useTranslation();
  const all = useQuery({
    queryKey: ["tags"],
    queryFn: () =>
      get<{ tags: { id: string; name: string; color: string }[] }>("/api/tags").then((r) => r.tags),
    staleTime: 60_000,
  });
  const set = useMutation({
    mutationFn: (v: { tagId: string; pinned: boolean }) =>
      put<{ contact: Contact }>(`/api/contacts/${contact.id}/tags/${v.tagId}`, { pinned: v.pinned }),
    onSuccess: (r) => onChange(r.contact),
    onError: onError(t as never),
  });
  const remove = useMutation({
    mutationFn: (tagId: string) => del(`/api/contacts/${contact.id}/tags/${tagId}`),
    onSuccess: (_r, tagId) => onChange({ ...contact, tags: contact.tags.filter((x) => x.id !== tagId) }),
    onError: onError(t as never),
  });
  const free = (all.data ?? []).filter((x) => !contact.tags.some((c) => c.id === x.id));
  return (
    <Box>
      <Text size="xs" fw={700} mb={4}>
        {t("convTools.contact.tags")}
      </Text>
      <Group gap={4} mb={4}>
        {contact.tags.map((tag) => (
          <Badge
            key={tag.id}
            color={tag.color}
            variant={tag.pinned ? "filled" : "light"}
            tt="none"
            data-testid="contact-tag"
            data-pinned={tag.pinned || undefined}
            leftSection={
              <Tooltip label={tag.pinned ? t("convTools.contact.unpin") : t("convTools.contact.pin")}>
                <ActionIcon
                  size={14}
                  variant="transparent"
                  color={tag.pinned ? "white" : tag.color}
                  onClick={() => set.mutate({ tagId: tag.id, pinned: !tag.pinned })}
                  aria-label={tag.pinned ? t("convTools.contact.unpin") : t("convTools.contact.pin")}
                >
                  {tag.pinned ? <IconPinnedFilled size={10} /> : <IconPin size={10} />}
                </ActionIcon>
              </Tooltip>
            }
            rightSection={
              <ActionIcon
                size={14}
                variant="transparent"
                color={tag.pinned ? "white" : tag.color}
                onClick={() => remove.mutate(tag.id)}
                aria-label={t("convTools.contact.removeTag")}
              >
                <IconX size={10} />
              </ActionIcon>
            }
          >
            {tag.name}
          </Badge>
        ))}
      </Group>
      <Select
        size="xs"
        searchable
        placeholder={t("convTools.contact.addTag")}
        data={free.map((x) => ({ value: x.id, label: x.name }))}
        value={null}
        onChange={(v) => v && set.mutate({ tagId: v, pinned: false })}
        nothingFoundMessage={t("convTools.contact.noTags")}
        data-testid="contact-add-tag"
      />
    </Box>
  );
}

function ContactLinks({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [q, setQ] = useState("");
  const links = useQuery({
    queryKey: ["contact-links", contactId],
    queryFn: () => get<{ contacts: Contact[] }>(`/api/contacts/${contactId}/links`).then((r) => r.contacts),
  });
  const found = useQuery({
    queryKey: ["contact-search", q],
    queryFn: () =>
      get<{ contacts: Contact[] }>(`/api/contacts?q=${encodeURIComponent(q)}&limit=10`).then(
        (r) => r.contacts,
      ),
    enabled: q.trim().length >= 2,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ["contact-links", contactId] });
  const link = useMutation({
    mutationFn: (other: string) => put(`/api/contacts/${contactId}/links/${other}`),
    onSuccess: () => {
      setQ("");
      void refresh();
    },
    onError: onError(t as never),
  });
  const unlink = useMutation({
    mutationFn: (other: string) => del(`/api/contacts/${contactId}/links/${other}`),
    onSuccess: () => void refresh(),
    onError: onError(t as never),
  });
  const linked = links.data ?? [];
  const options = (found.data ?? []).filter((c) => c.id !== contactId && !linked.some((l) => l.id === c.id));
  return (
    <Box>
      <Text size="xs" fw={700} mb={4}>
        {t("convTools.contact.links")}
      </Text>
      {linked.map((c) => (
        <Group key={c.id} gap={4} justify="space-between" wrap="nowrap" data-testid="contact-link">
          <Group gap={4} wrap="nowrap">
            <IconLink size={12} />
            <Text size="xs" truncate>
              {contactName(c) ?? t("list.unknownContact")}
            </Text>
          </Group>
          <Tooltip label={t("convTools.contact.unlink")}>
            <ActionIcon
              size="sm"
              variant="subtle"
              color="gray"
              onClick={() => unlink.mutate(c.id)}
              aria-label={t("convTools.contact.unlink")}
            >
              <IconLinkOff size={14} />
            </ActionIcon>
          </Tooltip>
        </Group>
      ))}
      <Select
        size="xs"
        mt={4}
        searchable
        searchValue={q}
        onSearchChange={setQ}
        placeholder={t("convTools.contact.linkSearch")}
        data={options.map((c) => ({ value: c.id, label: contactName(c) ?? c.id }))}
        value={null}
        onChange={(v) => v && link.mutate(v)}
        filter={({ options: o }) => o}
        nothingFoundMessage={q.trim().length >= 2 ? t("convTools.contact.noMatches") : undefined}
        data-testid="contact-link-search"
      />
    </Box>
  );
}

type PanelAttachment = Attachment & {
  messageId: string;
  direction: string;
  createdAt: string;
  image: boolean;
};

function FilesPanel({ conversation }: { conversation: Conversation }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [tab, setTab] = useState<"images" | "files">("images");
  const list = useQuery({
    queryKey: ["attachments", conversation.id],
    queryFn: () =>
      get<{ attachments: PanelAttachment[] }>(`/api/conversations/${conversation.id}/attachments`).then(
        (r) => r.attachments,
      ),
  });
  const resend = useMutation({
    mutationFn: (a: PanelAttachment) =>
      post<{ message: import("@parley/protocol").Message }>(
        `/api/conversations/${conversation.id}/messages`,
        {
          attachments: [{ name: a.name, mimeType: a.mimeType, size: a.size, url: a.url }],
        },
      ),
    onSuccess: (r) => {
      addOwnMessage(qc, r.message);
      notifications.show({ color: "teal", message: t("convTools.files.resent") });
      void qc.invalidateQueries({ queryKey: ["attachments", conversation.id] });
    },
    onError: onError(t as never),
  });
  const items = (list.data ?? []).filter((a) => (tab === "images" ? isImage(a) : !isImage(a)));
  const canSend = conversation.permissions?.reply !== false && !conversation.contact.blocked;
  return (
    <Stack gap="xs">
      <SegmentedControl
        size="xs"
        value={tab}
        onChange={(v) => setTab(v as "images" | "files")}
        data={[
          { value: "images", label: t("convTools.files.images") },
          { value: "files", label: t("convTools.files.files") },
        ]}
        data-testid="files-tabs"
      />
      {!items.length ? (
        <Text size="xs" c="dimmed">
          {t("convTools.files.none")}
        </Text>
      ) : null}
      {tab === "images" ? (
        <SimpleGrid cols={3} spacing={4}>
          {items.map((a) => (
            <Paper key={`${a.messageId}-${a.url}`} withBorder p={2} data-testid="panel-image">
              <Anchor href={previewUrl(a)} target="_blank" rel="noopener noreferrer">
                <Image src={previewUrl(a)} alt={a.name} h={72} fit="cover" radius="xs" />
              </Anchor>
              <Group gap={0} justify="center">
                <FileActions a={a} canSend={canSend} onResend={() => resend.mutate(a)} />
              </Group>
            </Paper>
          ))}
        </SimpleGrid>
      ) : (
        items.map((a) => (
          <Paper key={`${a.messageId}-${a.url}`} withBorder px="xs" py={4} data-testid="panel-file">
            <Group justify="space-between" wrap="nowrap">
              <Box style={{ minWidth: 0 }}>
                <Text size="xs" truncate fw={600}>
                  {a.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {fullDateTime(a.createdAt, i18n.language)}
                </Text>
              </Box>
              <Group gap={0} wrap="nowrap">
                <FileActions a={a} canSend={canSend} onResend={() => resend.mutate(a)} />
              </Group>
            </Group>
          </Paper>
        ))
      )}
    </Stack>
  );
}

function FileActions({ a, canSend, onResend }: { a: Attachment; canSend: boolean; onResend: () => void }) {
  const { t } = useTranslation();
  return (
    <>
      <Tooltip label={t("convTools.files.download")}>
        <ActionIcon
          component="a"
          href={a.url}
          download={a.name}
          size="sm"
          variant="subtle"
          aria-label={t("convTools.files.download")}
        >
          <IconDownload size={14} />
        </ActionIcon>
      </Tooltip>
      {canSend ? (
        <Tooltip label={t("convTools.files.resend")}>
          <ActionIcon
            size="sm"
            variant="subtle"
            onClick={onResend}
            aria-label={t("convTools.files.resend")}
            data-testid="file-resend"
          >
            <IconSend size={14} />
          </ActionIcon>
        </Tooltip>
      ) : null}
    </>
  );
}

/** `datetime-local` values are the browser's local time; the API wants an instant. */
const toInstant = (v: string) => (v ? new Date(v).toISOString() : null);

export const useTaskMutations = (invalidate: () => void) => {
  const { t } = useTranslation();
  const toggle = useMutation({
    mutationFn: (task: Task) => patch(`/api/tasks/${task.id}`, { done: !task.doneAt }),
    onSuccess: invalidate,
    onError: onError(t as never),
  });
  const remove = useMutation({
    mutationFn: (task: Task) => del(`/api/tasks/${task.id}`),
    onSuccess: invalidate,
    onError: onError(t as never),
  });
  return { toggle, remove };
};

export function TaskRow({
  task,
  onToggle,
  onRemove,
  extra,
}: {
  task: Task;
  onToggle: () => void;
  onRemove: () => void;
  extra?: React.ReactNode;
}) {
  const { t, i18n } = useTranslation();
  return (
    <Paper withBorder px="xs" py={6} data-testid="task">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Checkbox
          size="xs"
          checked={!!task.doneAt}
          onChange={onToggle}
          aria-label={t("convTools.tasks.done")}
          label={
            <Box>
              <Group gap={6}>
                <Badge size="xs" variant="light" tt="none">
                  {t(`convTools.tasks.kind.${task.kind}`)}
                </Badge>
                <Text size="sm" td={task.doneAt ? "line-through" : undefined} data-testid="task-title">
                  {task.title}
                </Text>
              </Group>
              {task.dueAt ? (
                <Text size="xs" c="dimmed">
                  {fullDateTime(task.dueAt, i18n.language)}
                  {task.endsAt ? ` – ${fullDateTime(task.endsAt, i18n.language)}` : ""}
                </Text>
              ) : null}
              {task.remindAt && task.kind !== "reminder" ? (
                <Text size="xs" c="dimmed">
                  {t("convTools.tasks.remindAt")}: {fullDateTime(task.remindAt, i18n.language)}
                </Text>
              ) : null}
              {extra}
            </Box>
          }
        />
        <ActionIcon
          size="sm"
          variant="subtle"
          color="gray"
          onClick={onRemove}
          aria-label={t("convTools.tasks.delete")}
        >
          <IconX size={14} />
        </ActionIcon>
      </Group>
    </Paper>
  );
}

function TasksPanel({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const key = ["tasks", "conversation", conversation.id];
  const tasks = useQuery({
    queryKey: key,
    queryFn: () =>
      get<{ tasks: Task[] }>(`/api/tasks?conversationId=${conversation.id}&status=all`).then((r) => r.tasks),
  });
  const invalidate = () => {
    void qc.invalidateQueries({ queryKey: ["tasks"] });
  };
  const { toggle, remove } = useTaskMutations(invalidate);
  const [kind, setKind] = useState<TaskKind>("task");
  const [title, setTitle] = useState("");
  const [notes, setNotes] = useState("");
  const [due, setDue] = useState("");
  const [ends, setEnds] = useState("");
  const [remind, setRemind] = useState("");
  const create = useMutation({
    mutationFn: () =>
      post<{ task: Task }>("/api/tasks", {
        kind,
        title,
        notes: notes.trim() || null,
        conversationId: conversation.id,
        dueAt: toInstant(due),
        endsAt: kind === "event" ? toInstant(ends) : null,
        remindAt: kind === "reminder" ? toInstant(due) : toInstant(remind),
      }),
    onSuccess: () => {
      setTitle("");
      setNotes("");
      setDue("");
      setEnds("");
      setRemind("");
      invalidate();
      notifications.show({ color: "teal", message: t("convTools.tasks.created") });
    },
    onError: (err) => notifications.show({ color: "red", message: errorWithReason(t, err) }),
  });
  const needsTime = kind !== "task";
  return (
    <Stack gap="xs">
      <SegmentedControl
        size="xs"
        value={kind}
        onChange={(v) => setKind(v as TaskKind)}
        data={(["task", "event", "reminder"] as const).map((k) => ({
          value: k,
          label: t(`convTools.tasks.kind.${k}`),
        }))}
        data-testid="task-kind"
      />
      <TextInput
        size="xs"
        label={t("convTools.tasks.title")}
        value={title}
        onChange={(e) => setTitle(e.currentTarget.value)}
        data-testid="task-title-input"
      />
      <Textarea
        size="xs"
        label={t("convTools.tasks.notes")}
        autosize
        minRows={1}
        value={notes}
        onChange={(e) => setNotes(e.currentTarget.value)}
      />
      <TextInput
        size="xs"
        type="datetime-local"
        label={
          kind === "event"
            ? t("convTools.tasks.starts")
            : kind === "reminder"
              ? t("convTools.tasks.remindAt")
              : t("convTools.tasks.due")
        }
        value={due}
        onChange={(e) => setDue(e.currentTarget.value)}
        data-testid="task-due"
      />
      {kind === "event" ? (
        <TextInput
          size="xs"
          type="datetime-local"
          label={t("convTools.tasks.ends")}
          value={ends}
          onChange={(e) => setEnds(e.currentTarget.value)}
        />
      ) : null}
      {kind === "task" ? (
        <TextInput
          size="xs"
          type="datetime-local"
          label={t("convTools.tasks.remindAt")}
          value={remind}
          onChange={(e) => setRemind(e.currentTarget.value)}
        />
      ) : null}
      <Button
        size="xs"
        disabled={!title.trim() || (needsTime && !due)}
        loading={create.isPending}
        onClick={() => create.mutate()}
        data-testid="task-create"
      >
        {t("convTools.tasks.create")}
      </Button>
      {(tasks.data ?? []).map((task) => (
        <TaskRow
          key={task.id}
          task={task}
          onToggle={() => toggle.mutate(task)}
          onRemove={() => remove.mutate(task)}
        />
      ))}
      {tasks.isError ? (
        <Text size="xs" c="red">
          {errorText(t, tasks.error)}
        </Text>
      ) : null}
    </Stack>
  );
}
