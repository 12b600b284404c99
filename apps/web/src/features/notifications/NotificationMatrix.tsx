import { Checkbox, Table } from "@mantine/core";
import type { NotificationEvent, NotificationMeans } from "@parley/protocol";
import { useTranslation } from "react-i18next";
import type { NotificationSettings } from "./api";
import { EVENTS, MEANS, meansKey } from "./options";

/** Which events reach the agent by which means: one box per event and means. */
export function NotificationMatrix({
  matrix,
  emailAvailable,
  smsAvailable,
  onToggle,
}: {
  matrix: NotificationSettings["matrix"];
  emailAvailable: boolean;
  /** The workspace has an SMS connection and the agent a verified number. */
  smsAvailable: boolean;
  onToggle: (e: NotificationEvent, m: NotificationMeans, on: boolean) => void;
}) {
  const { t } = useTranslation();
  return (
    <Table data-testid="notify-matrix">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("notify.settings.event")}</Table.Th>
          {MEANS.map((m) => (
            <Table.Th key={m}>{t(meansKey(m))}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {EVENTS.map((e) => (
          <Table.Tr key={e}>
            <Table.Td>{t(`notify.settings.events.${e}`)}</Table.Td>
            {MEANS.map((m) => (
              <Table.Td key={m}>
                <Checkbox
                  aria-label={`${t(`notify.settings.events.${e}`)}: ${t(meansKey(m))}`}
                  data-testid={`matrix-${e}-${m}`}
                  checked={matrix[e][m]}
                  disabled={(m === "email" && !emailAvailable) || (m === "sms" && !smsAvailable)}
                  onChange={(ev) => onToggle(e, m, ev.currentTarget.checked)}
                />
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
