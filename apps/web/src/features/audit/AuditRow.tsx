import { ActionIcon, Code, Table, Text } from "@mantine/core";
import { IconChevronDown, IconChevronRight } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { AuditEntry } from "../../api/audit";
import { fullDateTime } from "../../lib/format";

/** The action in the reader's language when it is a known one, its own name otherwise. */
export function useActionLabel() {
  const { t } = useTranslation();
  return (action: string) => t(`auditActions.${action}`, { defaultValue: action });
}

/** One entry: when, who, what, which record, from where; a click shows its data (before and after). */
export function AuditRow({ entry: e }: { entry: AuditEntry }) {
  const { t, i18n } = useTranslation();
  const label = useActionLabel();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Table.Tr onClick={() => setOpen((o) => !o)} style={{ cursor: "pointer" }} data-testid="audit-row">
        <Table.Td>
          <ActionIcon variant="subtle" size="sm" aria-label={t("audit.expand")} aria-expanded={open}>
            {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
          </ActionIcon>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{fullDateTime(e.at, i18n.language)}</Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{e.user ? e.user.name || e.user.email : t("audit.system")}</Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm" title={e.action} data-testid="audit-action">
            {label(e.action)}
          </Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm" c="dimmed">
            {[e.targetType, e.targetId].filter(Boolean).join(" ")}
          </Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{e.ip ?? ""}</Text>
          <Text size="xs" c="dimmed" lineClamp={1} title={e.userAgent ?? ""}>
            {e.userAgent ?? ""}
          </Text>
        </Table.Td>
      </Table.Tr>
      {open ? (
        <Table.Tr>
          <Table.Td colSpan={6}>
            <Code block data-testid="audit-data">
              {JSON.stringify(e.data, null, 2)}
            </Code>
          </Table.Td>
        </Table.Tr>
      ) : null}
    </>
  );
}
