import { Button, SegmentedControl, Textarea, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TaskKind } from "@parley/protocol";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { post } from "../../api/client";
import type { Answer } from "../../api/types";
import { showErrorWithReason } from "../../lib/notify";

/** `datetime-local` values are the browser's local time; the API wants an instant. */
const toInstant = (v: string) => (v ? new Date(v).toISOString() : null);

/** A local date and time picked in the browser's own input. */
function LocalTimeInput({
  label,
  value,
  onChange,
  testId,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  testId?: string;
}) {
  return (
    <TextInput
      size="xs"
      type="datetime-local"
      label={label}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      data-testid={testId}
    />
  );
}

/**
 * A new task, event or reminder for the conversation. Events have a start and an end; a reminder's time is
 * when it rings; a task may have a due time and a separate reminder.
 */
export function TaskForm({ conversationId, onCreated }: { conversationId: string; onCreated: () => void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<TaskKind>("task");
  const [title, setTitle] = useState("");
  const [notes, setNotes] = useState("");
  const [due, setDue] = useState("");
  const [ends, setEnds] = useState("");
  const [remind, setRemind] = useState("");
  const create = useMutation({
    mutationFn: () =>
      post<Answer<"/api/tasks", "post">>("/api/tasks", {
        kind,
        title,
        notes: notes.trim() || null,
        conversationId,
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
      onCreated();
      notifications.show({ color: "teal", message: t("convTools.tasks.created") });
    },
    onError: (err) => showErrorWithReason(t, err),
  });
  const needsTime = kind !== "task";
  const dueLabel =
    kind === "event"
      ? t("convTools.tasks.starts")
      : kind === "reminder"
        ? t("convTools.tasks.remindAt")
        : t("convTools.tasks.due");
  return (
    <>
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
      <LocalTimeInput label={dueLabel} value={due} onChange={setDue} testId="task-due" />
      {kind === "event" ? (
        <LocalTimeInput label={t("convTools.tasks.ends")} value={ends} onChange={setEnds} />
      ) : null}
      {kind === "task" ? (
        <LocalTimeInput label={t("convTools.tasks.remindAt")} value={remind} onChange={setRemind} />
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
    </>
  );
}
