import { Checkbox, Table } from "@mantine/core";
import type { NotificationEvent, NotificationMeans } from "@parley/protocol";
import { useTranslation } from "react-i18next";
import type { NotificationSettings } from "./api";
import { EVENTS, MEANS } from "./options";

/** Which events reach the agent by which means: one box per event and means. */
export function NotificationMatrix({
  matrix,
  emailAvailable,
  onToggle,
}: {
  matrix: NotificationSettings["matrix"];
  emailAvailable: boolean;
  onToggle: (e: NotificationEvent, m: NotificationMeans, on: boolean) => void;
}) {
  const { t } = useTranslation();
  return (
    <Table data-testid="notify-matrix">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("notify.settings.event")}</Table.Th>
          {MEANS.map((m) => (
            <Table.Th key={m}>{t(`notify.settings.means.${m}`)}</Table.Th>
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
                  aria-label={`${t(`notify.settings.events.${e}`)}: ${t(`notify.settings.means.${m}`)}`}
                  data-testid={`matrix-${e}-${m}`}
                  checked={matrix[e][m]}
                  disabled={m === "email" && !emailAvailable}
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
