import { Loader, Paper, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { put } from "../../api/client";
import { useUsers } from "../../api/queries";
import { showError } from "../../lib/notify";
import { AudienceInput } from "./AudienceInput";
import { notifyKeys, type Rule, type RulesResponse, useNotificationRules } from "./api";
import { RuleButtons, RuleEditors, withNewRule } from "./RuleList";

const strip = (r: Rule) => ({ ...r, id: undefined });

/** Read-notification rules: the agent's own, and (admins) the workspace's with who may receive and manage them. */
export function RulesPanel({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const rules = useNotificationRules();
  const users = useUsers();
  const [own, setOwn] = useState<Rule[]>([]);
  const [ws, setWs] = useState<Rule[]>([]);
  const [policy, setPolicy] = useState<RulesResponse["policy"]>({ readReceive: null, readManage: null });
  useEffect(() => {
    if (!rules.data) return;
    setOwn(rules.data.own);
    setWs(rules.data.workspace);
    setPolicy(rules.data.policy);
  }, [rules.data]);
  if (!rules.data) return <Loader />;
  const save = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      await qc.invalidateQueries({ queryKey: notifyKeys.rules });
      notifications.show({ color: "green", message: t("notify.rules.savedRules") });
    } catch (err) {
      showError(t, err);
    }
  };
  const userOptions = (users.data ?? []).map((u) => ({ value: u.id, label: u.name }));
  return (
    <Paper withBorder p="md">
      <Stack>
        <div>
          <Text fw={600}>{t("notify.rules.title")}</Text>
          <Text size="sm" c="dimmed">
            {t("notify.rules.intro")}
          </Text>
        </div>
        <Text fw={500}>{t("notify.rules.own")}</Text>
        {rules.data.canManageOwn ? (
          <>
            {own.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t("notify.rules.none")}
              </Text>
            ) : null}
            <RuleEditors rules={own} onChange={setOwn} withRecipients={false} />
            <RuleButtons
              onAdd={() => setOwn(withNewRule(own))}
              onSave={() =>
                save(() =>
                  put("/api/notification-rules/mine", {
                    rules: own.map(({ recipients: _r, ...r }) => strip(r as Rule)),
                  }),
                )
              }
            />
          </>
        ) : (
          <Text size="sm">{t("notify.rules.notAllowed")}</Text>
        )}
        {admin ? (
          <>
            <Text fw={500}>{t("notify.rules.workspace")}</Text>
            <RuleEditors rules={ws} onChange={setWs} withRecipients />
            <AudienceInput
              label={t("notify.rules.receivePolicy")}
              value={policy.readReceive}
              onChange={(a) => setPolicy({ ...policy, readReceive: a })}
              users={userOptions}
            />
            <AudienceInput
              label={t("notify.rules.managePolicy")}
              value={policy.readManage}
              onChange={(a) => setPolicy({ ...policy, readManage: a })}
              users={userOptions}
            />
            <RuleButtons
              onAdd={() => setWs(withNewRule(ws))}
              onSave={() =>
                save(() => put("/api/notification-rules/workspace", { rules: ws.map(strip), policy }))
              }
            />
          </>
        ) : rules.data.workspace.length ? (
          <Text size="sm" c="dimmed">
            {t("notify.rules.workspace")}: {rules.data.workspace.length}
          </Text>
        ) : null}
      </Stack>
    </Paper>
  );
}
