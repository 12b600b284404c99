import { Button, Menu } from "@mantine/core";
import { IconCheck } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { PresenceDot, presenceState, useIdleReporter, usePresenceChoice } from "./presence";

/** The header's presence switch: online (away by itself when idle) or away. */
export function PresenceControl({ userId }: { userId: string }) {
  const { t } = useTranslation();
  useIdleReporter();
  const choice = usePresenceChoice();
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          variant="subtle"
          color="gray"
          size="compact-sm"
          px={6}
          aria-label={t("account.presence.label")}
          data-testid="presence-control"
          data-choice={choice}
        >
          <PresenceDot userId={userId} />
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{t("account.presence.label")}</Menu.Label>
        <Menu.Item
          data-testid="presence-auto"
          onClick={() => presenceState.setChoice("auto")}
          rightSection={choice === "auto" ? <IconCheck size={14} /> : null}
        >
          {t("account.presence.auto")}
        </Menu.Item>
        <Menu.Item
          data-testid="presence-away"
          onClick={() => presenceState.setChoice("away")}
          rightSection={choice === "away" ? <IconCheck size={14} /> : null}
        >
          {t("account.presence.setAway")}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
