import { notifications } from "@mantine/notifications";
import type { Permission, Role } from "@parley/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { client, data, del, patch, post } from "../../api/client";
import { keys } from "../../api/queries";
import type { Answer } from "../../api/types";
import type { enRoles } from "../../i18n/locales/en/roles";
import { showErrorWithReason } from "../../lib/notify";

export type RoleView = Answer<"/api/roles">["roles"][number];
export const rolesKey = ["roles"] as const;

/** The workspace's roles with their permissions and how many people hold each (people.manage). */
export const useRoles = (enabled = true) =>
  useQuery({
    queryKey: rolesKey,
    queryFn: () => data(client.GET("/api/roles")).then((r) => r.roles),
    enabled,
  });

/** A role's name as people read it: built-in roles in the reader's language, custom ones as named. */
export const useRoleName = () => {
  const { t } = useTranslation();
  return (r: Pick<RoleView, "id" | "name" | "builtIn">) =>
    r.builtIn ? t(`account.roles.${r.id as Role}`) : r.name;
};

/** The i18n key of a permission's name and hint (`roles.perms.<key>.name`). */
export const permissionKey = (p: Permission) => p.replace(".", "_") as keyof typeof enRoles.roles.perms;

/**
 * Changes to roles: after each, the roles, the people (custom role names) and the session (one's own rights
 * may follow) are fetched again; a refusal shows the server's reason.
 */
export function useRoleMutations() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const refresh = (message: string) => () => {
    void qc.invalidateQueries({ queryKey: rolesKey });
    void qc.invalidateQueries({ queryKey: keys.users });
    notifications.show({ color: "green", message });
  };
  const onError = (err: unknown) => showErrorWithReason(t, err);
  return {
    setPermissions: useMutation({
      mutationFn: ({ id, permissions }: { id: string; permissions: Permission[] }) =>
        patch(`/api/roles/${id}`, { permissions }),
      onSuccess: refresh(t("roles.saved")),
      onError,
    }),
    create: useMutation({
      mutationFn: (body: { name: string; base: "supervisor" | "agent"; permissions: Permission[] }) =>
        post("/api/roles", body),
      onSuccess: refresh(t("roles.created")),
      onError,
    }),
    rename: useMutation({
      mutationFn: ({ id, name }: { id: string; name: string }) => patch(`/api/roles/${id}`, { name }),
      onSuccess: refresh(t("roles.renamed")),
      onError,
    }),
    remove: useMutation({
      mutationFn: ({ id, moveTo }: { id: string; moveTo?: string }) =>
        del(`/api/roles/${id}${moveTo ? `?moveTo=${encodeURIComponent(moveTo)}` : ""}`),
      onSuccess: refresh(t("roles.deleted")),
      onError,
    }),
  };
}
