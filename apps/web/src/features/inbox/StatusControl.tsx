import { Box, Button, Group, Menu, UnstyledButton } from "@mantine/core";
import type { ConversationStatus } from "@parley/protocol";
import { IconCheck, IconChevronDown, IconRotateClockwise } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { useLazyMenu, useLazyTooltip } from "../../components/lazy-popups";

const STATUSES = ["open", "in_progress", "closed"] as const;
const COLOR: Record<ConversationStatus, string> = {
  open: "var(--mantine-color-green-8)",
  in_progress: "var(--mantine-color-orange-8)",
  closed: "var(--mantine-color-gray-7)",
};
/** The compact badge's background: a light tint of the status's colour (its text stays dark: AA contrast). */
const TINT: Record<ConversationStatus, string> = {
  open: "var(--mantine-color-green-0)",
  in_progress: "var(--mantine-color-orange-0)",
  closed: "var(--mantine-color-gray-1)",
};

const Dot = ({ status }: { status: ConversationStatus }) => (
  <Box
    component="span"
    w={8}
    h={8}
    style={{ borderRadius: "50%", background: COLOR[status], display: "inline-block", flexShrink: 0 }}
  />
);

interface StatusProps {
  status: ConversationStatus;
  allowed: boolean;
  pending: boolean;
  onChange: (s: ConversationStatus) => void;
}

/**
 * The status control of the conversation header, in two parts that cannot be read two ways: what the
 * status is now (a button opening the list of statuses, the current one ticked) and the one action that
 * follows from it, named by what it does — "Close" while open or in progress, "Reopen" once closed. Both
 * come from the conversation as the cache holds it, which realtime events keep current, so after a
 * customer's message or a colleague reopens it the control reads "Open" with "Close" at once.
 */
export function StatusControl({ status, allowed, pending, onChange }: StatusProps) {
  const { t } = useTranslation();
  const next: ConversationStatus = status === "closed" ? "open" : "closed";
  const actionLabel = next === "closed" ? t("agentDay2.status.close") : t("agentDay2.status.reopen");
  const menu = useLazyMenu();
  const tip = useLazyTooltip(
    next === "closed" ? t("agentDay2.status.closeHint") : t("agentDay2.status.reopenHint"),
  );
  return (
    <Group gap={6} wrap="nowrap" data-testid="status-control" data-status={status}>
      <Button
        variant="default"
        size="xs"
        disabled={!allowed || pending}
        leftSection={<Dot status={status} />}
        rightSection={<IconChevronDown size={14} aria-hidden />}
        aria-label={t("agentDay2.status.current", { status: t(`status.${status}`) })}
        data-testid="status-current"
        {...menu.targetProps}
      >
        {t(`status.${status}`)}
        {menu.menu(<StatusItems status={status} onChange={onChange} />, { "data-testid": "status-menu" })}
      </Button>
      <Button
        size="xs"
        variant={next === "closed" ? "filled" : "light"}
        leftSection={next === "closed" ? <IconCheck size={16} /> : <IconRotateClockwise size={16} />}
        disabled={!allowed}
        loading={pending}
        onClick={() => onChange(next)}
        data-testid="status-action"
        data-next={next}
        {...tip.targetProps}
      >
        {actionLabel}
        {tip.tooltip}
      </Button>
    </Group>
  );
}

/** The list of statuses, the current one ticked and disabled. */
function StatusItems({ status, onChange }: Pick<StatusProps, "status" | "onChange">) {
  const { t } = useTranslation();
  return (
    <>
      <Menu.Label>{t("agentDay2.status.set")}</Menu.Label>
      {STATUSES.map((s) => (
        <Menu.Item
          key={s}
          leftSection={s === status ? <IconCheck size={14} aria-hidden /> : <Box w={14} />}
          disabled={s === status}
          onClick={() => onChange(s)}
          data-testid={`status-set-${s}`}
        >
          {t(`status.${s}`)}
        </Menu.Item>
      ))}
    </>
  );
}

/**
 * The status control where the header is narrow (a laptop with the side panel open, a phone): the current
 * status as a small tinted badge with its dot, on the line under the contact's name, so it never takes the
 * name's room. It opens a menu whose first item is the same one action as the wide control's ("Close" while
 * open or in progress, "Reopen" once closed), then the list of statuses. After a reopen it reads "Open".
 */
export function CompactStatusControl({ status, allowed, pending, onChange }: StatusProps) {
  const { t } = useTranslation();
  const next: ConversationStatus = status === "closed" ? "open" : "closed";
  const menu = useLazyMenu("bottom-start");
  return (
    <UnstyledButton
      disabled={!allowed || pending}
      aria-label={t("agentDay2.status.current", { status: t(`status.${status}`) })}
      data-testid="status-current"
      data-status={status}
      {...menu.targetProps}
      px={6}
      h={18}
      fz="xs"
      fw={600}
      lh="16px"
      c="gray.9"
      bg={TINT[status]}
      style={{
        position: "relative",
        display: "inline-flex",
        alignItems: "center",
        gap: 5,
        flexShrink: 0,
        whiteSpace: "nowrap",
        borderRadius: "var(--mantine-radius-xl)",
        border: `1px solid ${COLOR[status]}`,
        cursor: allowed ? "pointer" : "default",
      }}
    >
      <Dot status={status} />
      {t(`status.${status}`)}
      {allowed ? <IconChevronDown size={12} aria-hidden /> : null}
      {menu.menu(
        <>
          <Menu.Item
            leftSection={next === "closed" ? <IconCheck size={14} /> : <IconRotateClockwise size={14} />}
            onClick={() => onChange(next)}
            data-testid="status-action"
            data-next={next}
          >
            {next === "closed" ? t("agentDay2.status.close") : t("agentDay2.status.reopen")}
          </Menu.Item>
          <Menu.Divider />
          <StatusItems status={status} onChange={onChange} />
        </>,
        { "data-testid": "status-menu" },
      )}
    </UnstyledButton>
  );
}
