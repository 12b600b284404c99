import { Button, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { View } from "../../api/queries";
import { useViewCounts } from "./views-api";

/** What to do next in an empty view: "My inbox" points to the conversations waiting under "All". */
export function EmptyViewHint({ view }: { view: View }) {
  const { t } = useTranslation();
  const counts = useViewCounts();
  const all = counts.data?.views.find((v) => v.key === "all");
  if (view === "important" || view === "snoozed")
    return (
      <>
        <Text size="sm" fw={600} c="dark" data-testid="empty-title">
          {t(`importantSnooze.empty.${view}`)}
        </Text>
        <Text size="xs" ta="center" maw={260}>
          {t(`importantSnooze.empty.${view}Hint`)}
        </Text>
      </>
    );
  return (
    <>
      <Text size="sm" fw={600} c="dark" data-testid="empty-title">
        {t(`navigation.empty.${view}`)}
      </Text>
      <Text size="xs" ta="center" maw={260}>
        {t(`navigation.empty.${view}Hint`)}
      </Text>
      {view === "mine" && all && all.waiting + all.unread > 0 ? (
        <Button component={Link} to="/inbox?view=all" size="xs" variant="light" data-testid="empty-open-all">
          {t("navigation.empty.mineWaiting", { count: Math.max(all.waiting, all.unread) })}
        </Button>
      ) : null}
    </>
  );
}
