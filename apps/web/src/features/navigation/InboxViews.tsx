import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Menu,
  Modal,
  NavLink,
  Stack,
  Text,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import {
  IconArchive,
  IconDots,
  IconInbox,
  IconStar,
  IconStarFilled,
  IconUser,
  IconUserQuestion,
  IconUsersGroup,
  IconZzz,
} from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ComponentType, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { client, data } from "../../api/client";
import { VIEWS, type View } from "../../api/queries";
import { showError } from "../../lib/notify";
import {
  navKeys,
  type SavedFilter,
  savedFilterHref,
  savedParamsOf,
  showsSaved,
  useViewCounts,
  type ViewCounts,
} from "./views-api";
import "./views.css";

const VIEW_ICONS = {
  mine: IconUser,
  all: IconInbox,
  unassigned: IconUserQuestion,
  important: IconStarFilled,
  snoozed: IconZzz,
  closed: IconArchive,
};
type Counts = { unread: number; waiting: number };

/** The inbox's views with their counts, the person's teams and saved filters (★), and saving the current filters. */
export function InboxViews({
  view,
  search,
  onNavigate,
}: {
  view: View;
  /** The address's query (`location.search`): passed in, so that opening a conversation does not draw the views again. */
  search: string;
  onNavigate: () => void;
}) {
  const { t } = useTranslation();
  const params = useMemo(() => new URLSearchParams(search), [search]);
  const counts = useViewCounts();
  const team = params.get("team");
  const filtered = (k: string) => params.has(k);
  const plainView = !["team", "channel", "assignee", "bot", "tag", "type", "status", "author"].some(filtered);
  const link = (
    to: string,
    label: string,
    Icon: ComponentType<{ size?: number; stroke?: number }>,
    active: boolean,
    testId: string,
    c?: Counts,
    right?: React.ReactNode,
  ) => (
    <Group key={testId} gap={0} wrap="nowrap">
      <NavLink
        component={Link}
        to={to}
        active={active}
        aria-current={active ? "page" : undefined}
        label={label}
        leftSection={<Icon size={18} stroke={1.6} />}
        rightSection={c ? <CountBadges counts={c} testId={testId} /> : null}
        data-testid={testId}
        className="parley-view-link"
        onClick={onNavigate}
        style={{ borderRadius: "var(--mantine-radius-md)", flex: 1, minWidth: 0 }}
      />
      {right}
    </Group>
  );
  const data_ = counts.data;
  return (
    <Stack gap={2}>
      <Text component="h2" size="xs" fw={700} c="gray.7" tt="uppercase" px="sm" py={6} m={0}>
        {t("views.title")}
      </Text>
      {VIEWS.map((v) =>
        link(
          `/inbox?view=${v}`,
          v === "important" || v === "snoozed" ? t(`importantSnooze.views.${v}`) : t(`views.${v}`),
          VIEW_ICONS[v],
          v === view && plainView,
          `view-${v}`,
          data_?.views.find((x) => x.key === v),
        ),
      )}
      {data_?.teams.length ? <GroupTitle>{t("navigation.views.teams")}</GroupTitle> : null}
      {data_?.teams.map((tm) =>
        link(
          `/inbox?view=all&team=${tm.id}`,
          tm.name,
          IconUsersGroup,
          view === "all" && team === tm.id,
          `team-view-${tm.id}`,
          tm,
        ),
      )}
      {data_?.saved.length ? <GroupTitle>{t("navigation.views.saved")}</GroupTitle> : null}
      {data_?.saved.map((s) =>
        link(
          savedFilterHref(s),
          s.name,
          IconStar,
          showsSaved(params, s),
          `saved-view-${s.id}`,
          s,
          <SavedMenu saved={s} />,
        ),
      )}
      <SaveFilters params={params} />
    </Stack>
  );
}

const GroupTitle = ({ children }: { children: React.ReactNode }) => (
  <Text size="xs" fw={600} c="gray.7" px="sm" pt="sm" pb={2}>
    {children}
  </Text>
);

function CountBadges({ counts, testId }: { counts: Counts; testId: string }) {
  const { t } = useTranslation();
  return (
    <Group gap={4} wrap="nowrap" className="parley-view-counts">
      {counts.unread ? (
        <Badge
          size="sm"
          color="red"
          variant="filled"
          data-testid={`${testId}-unread`}
          data-count={counts.unread}
          title={t("navigation.views.unread", { count: counts.unread })}
        >
          {counts.unread}
          <VisuallyHidden>{t("navigation.views.unread", { count: counts.unread })}</VisuallyHidden>
        </Badge>
      ) : null}
      {counts.waiting ? (
        <Badge
          size="sm"
          color="gray"
          c="gray.8"
          variant="light"
          data-testid={`${testId}-waiting`}
          data-count={counts.waiting}
          title={t("navigation.views.waiting", { count: counts.waiting })}
        >
          {counts.waiting}
          <VisuallyHidden>{t("navigation.views.waiting", { count: counts.waiting })}</VisuallyHidden>
        </Badge>
      ) : null}
    </Group>
  );
}

/** Names the current view and filters and keeps them on the server for the person. */
function SaveFilters({ params }: { params: URLSearchParams }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant="subtle"
        size="compact-sm"
        leftSection={<IconStar size={14} />}
        onClick={() => setOpen(true)}
        data-testid="save-filters"
        className="parley-save-filters"
        mt={4}
      >
        {t("navigation.views.save")}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t("navigation.views.saveTitle")}>
        <SaveFiltersForm params={params} onSaved={() => setOpen(false)} />
      </Modal>
    </>
  );
}

/** The saving form, drawn only while its dialog is open: it navigates to the saved filter once it is kept. */
function SaveFiltersForm({ params, onSaved }: { params: URLSearchParams; onSaved: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const save = useMutation({
    mutationFn: () =>
      data(
        client.POST("/api/saved-filters", {
          body: { name, params: savedParamsOf(params) as SavedFilter["params"] },
        }),
      ),
    onSuccess: (r) => {
      qc.setQueryData<ViewCounts>(navKeys.views, (old) =>
        old ? { ...old, saved: [...old.saved, { ...r.savedFilter, unread: 0, waiting: 0 }] } : old,
      );
      void qc.invalidateQueries({ queryKey: navKeys.views });
      notifications.show({ message: t("navigation.views.savedToast") });
      onSaved();
      navigate(savedFilterHref(r.savedFilter));
    },
    onError: (err) => showError(t, err),
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack>
        <Text size="sm" c="dimmed">
          {t("navigation.views.saveHint")}
        </Text>
        <TextInput
          label={t("navigation.views.name")}
          placeholder={t("navigation.views.namePlaceholder")}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          maxLength={60}
          required
          data-autofocus
          data-testid="saved-filter-name"
        />
        <Button type="submit" loading={save.isPending} data-testid="saved-filter-submit">
          {t("navigation.views.saveButton")}
        </Button>
      </Stack>
    </form>
  );
}

/** Rename or delete a saved filter. */
function SavedMenu({ saved }: { saved: SavedFilter }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(saved.name);
  const done = () => void qc.invalidateQueries({ queryKey: navKeys.views });
  const rename = useMutation({
    mutationFn: () =>
      data(client.PATCH("/api/saved-filters/{id}", { params: { path: { id: saved.id } }, body: { name } })),
    onSuccess: () => {
      setRenaming(false);
      done();
    },
    onError: (err) => showError(t, err),
  });
  const remove = useMutation({
    mutationFn: () => client.DELETE("/api/saved-filters/{id}", { params: { path: { id: saved.id } } }),
    onSuccess: () => {
      notifications.show({ message: t("navigation.views.deleted") });
      done();
    },
    onError: (err) => showError(t, err),
  });
  return (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon
            variant="subtle"
            color="gray"
            size="sm"
            aria-label={`${t("navigation.views.actions")}: ${saved.name}`}
            data-testid={`saved-menu-${saved.id}`}
          >
            <IconDots size={14} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => setRenaming(true)} data-testid="saved-rename">
            {t("navigation.views.rename")}
          </Menu.Item>
          <Menu.Item color="red" onClick={() => remove.mutate()} data-testid="saved-delete">
            {t("navigation.views.delete")}
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Modal opened={renaming} onClose={() => setRenaming(false)} title={t("navigation.views.renameTitle")}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate();
          }}
        >
          <Stack>
            <TextInput
              label={t("navigation.views.name")}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              maxLength={60}
              required
              data-autofocus
              data-testid="saved-rename-name"
            />
            <Button type="submit" loading={rename.isPending} data-testid="saved-rename-submit">
              {t("navigation.views.saveButton")}
            </Button>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
