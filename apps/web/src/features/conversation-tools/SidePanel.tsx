import { ScrollArea, Tabs } from "@mantine/core";
import type { Conversation } from "@parley/protocol";
import { useTranslation } from "react-i18next";
import { ContactPanel } from "./ContactPanel";
import { FilesPanel } from "./FilesPanel";
import { TasksPanel } from "./TasksPanel";

export { TaskRow, useTaskMutations } from "./TaskRow";

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
