import { Group, Kbd, Modal, Stack, Table, Text } from "@mantine/core";
import { useHotkeys } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { client } from "../../api/client";
import { type ConversationPages, keys, type View } from "../../api/queries";
import { showErrorWithReason } from "../../lib/notify";

/** Letters by their physical key, so the shortcuts work whatever the keyboard layout (Cyrillic too). */
const physical = { usePhysicalKeys: true, preventDefault: false };
/** The guard prevents the default itself, once it knows the key is a shortcut. */
const own = { preventDefault: false };

/** Keys that a focused widget handles itself (menus, dialogs, option lists, tabs) are not shortcuts. */
const WIDGETS =
  '[role="menu"], [role="dialog"], [role="listbox"], [role="tablist"], [role="grid"], [role="tree"]';
const guard = (fn: () => void) => (e: KeyboardEvent) => {
  if (e.defaultPrevented || (e.target instanceof Element && e.target.closest(WIDGETS))) return;
  e.preventDefault();
  fn();
};

/** The ids of the view's loaded rows, in list order (from the list's cache: what the agent sees). */
function listIds(qc: QueryClient, view: View): string[] {
  // The list may be keyed by more than the view (filters): take the first loaded query of this view.
  const entries = qc.getQueriesData<ConversationPages>({ queryKey: keys.list(view) });
  const pages = entries.find(([, data]) => data?.pages?.length)?.[1];
  return pages?.pages.flatMap((p) => p.conversations.map((c) => c.id)) ?? [];
}

/** The row on screen when the cache is keyed differently: the DOM order of the rendered rows. */
const domIds = () =>
  [...document.querySelectorAll<HTMLElement>("[data-conversation-id]")].map(
    (el) => el.dataset.conversationId!,
  );

function focusComposer(mode: "reply" | "note") {
  const radio = document.querySelector<HTMLInputElement>(
    `[data-testid="composer-mode"] input[value="${mode}"]`,
  );
  if (radio && !radio.checked) radio.click();
  // The mode switch re-renders the composer; focus after it.
  requestAnimationFrame(() => document.querySelector<HTMLElement>('[data-testid="composer-input"]')?.focus());
}

function focusSearch() {
  const input = document.querySelector<HTMLInputElement>('[data-inbox-search], input[type="search"]');
  input?.focus();
  input?.select();
}

/**
 * The inbox's keyboard shortcuts: j/k or ↓/↑ move between conversations, r replies, n writes a note, e closes
 * the conversation, / or Ctrl+K searches, ? shows the list. Typing in a field never triggers them.
 */
export function useInboxHotkeys({ view, selectedId }: { view: View; selectedId: string | null }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { t } = useTranslation();
  const [helpOpen, setHelpOpen] = useState(false);

  const move = (delta: 1 | -1) => {
    const rendered = domIds();
    const ids = rendered.length ? rendered : listIds(qc, view);
    if (!ids.length) return;
    // The URL is the truth: a render may not have caught up with a quick series of keys yet.
    const current = location.pathname.match(/^\/inbox\/([^/]+)/)?.[1] ?? selectedId;
    const at = current ? ids.indexOf(current) : -1;
    const next =
      at === -1 ? (delta === 1 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, at + delta));
    const id = ids[next]!;
    if (id === current) return;
    void navigate(`/inbox/${id}?${new URLSearchParams(location.search)}`);
    requestAnimationFrame(() =>
      document
        .querySelector<HTMLElement>(`[data-conversation-id="${id}"]`)
        ?.scrollIntoView({ block: "nearest" }),
    );
  };
  const close = () => {
    if (!selectedId) return;
    client
      .POST("/api/conversations/{id}/status", {
        params: { path: { id: selectedId } },
        body: { status: "closed" },
      })
      .then(
        () => notifications.show({ color: "green", message: t("account.hotkeys.closed") }),
        (err) => showErrorWithReason(t, err),
      );
  };

  useHotkeys([
    ["j", guard(() => move(1)), physical],
    ["k", guard(() => move(-1)), physical],
    ["ArrowDown", guard(() => move(1)), own],
    ["ArrowUp", guard(() => move(-1)), own],
    ["r", guard(() => selectedId && focusComposer("reply")), physical],
    ["n", guard(() => selectedId && focusComposer("note")), physical],
    ["e", guard(close), physical],
    ["/", guard(focusSearch), own],
    ["mod+k", guard(focusSearch), physical],
    ["shift+?", guard(() => setHelpOpen(true)), own],
  ]);

  // Escape leaves the composer (or any field of the inbox), so the shortcuts work again.
  useHotkeys(
    [
      [
        "Escape",
        (e) => {
          const el = e.target as HTMLElement | null;
          if (el && el !== document.body && el.closest("[data-testid='composer'], [data-inbox-search]"))
            el.blur();
        },
        { preventDefault: false },
      ],
    ],
    [],
  );

  return { helpOpen, openHelp: () => setHelpOpen(true), closeHelp: () => setHelpOpen(false) };
}

const SHORTCUTS = [
  [["J", "↓"], "next"],
  [["K", "↑"], "previous"],
  [["R"], "reply"],
  [["N"], "note"],
  [["E"], "close"],
  [["/", "Ctrl K"], "search"],
  [["?"], "help"],
] as const;

/** The list of shortcuts (opened with ?). */
export function HotkeysHelp({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={t("account.hotkeys.title")} data-testid="hotkeys-help">
      <Table>
        <Table.Tbody>
          {SHORTCUTS.map(([combo, action]) => (
            <Table.Tr key={action}>
              <Table.Td>
                <Group gap={4}>
                  {combo.map((k, i) => (
                    <Stack key={k} gap={0} style={{ display: "inline-flex", flexDirection: "row", gap: 4 }}>
                      {i > 0 ? (
                        <Text span size="xs" c="dimmed">
                          /
                        </Text>
                      ) : null}
                      <Kbd>{k}</Kbd>
                    </Stack>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{t(`account.hotkeys.${action}`)}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
