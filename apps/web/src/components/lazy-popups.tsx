import { Menu, type MenuDropdownProps, type MenuProps, Tooltip, type TooltipProps } from "@mantine/core";
import {
  type KeyboardEvent,
  type MouseEvent,
  type ReactNode,
  useLayoutEffect,
  useRef,
  useState,
} from "react";
import "./controls.css";

/**
 * What closes a menu from outside it: a press of the pointer. Mantine's menus also close at a key pressed
 * outside the target and the dropdown, but the target here is the box over the button, and until the focus trap
 * has moved the focus into a menu just opened from the keyboard, the button has it: its arrow key would close
 * the menu it opened.
 */
const POINTER_OUTSIDE = ["mousedown", "touchstart"];

/**
 * Menus and tooltips that mount when they are first wanted. The conversation's header and every message of
 * the feed hold several; a mounted Mantine menu or tooltip (its floating-ui instance, listeners and effects)
 * is work on every switch of conversation, though most are never opened.
 *
 * Each hook returns props for the button (spread them on it, beside its own) and the popup to draw inside
 * it. The button stays the same element when the popup mounts, so a click that arrives with the pointer is
 * never lost to a replaced button. The popup is anchored to a box laid over the button (`parley-anchor`:
 * the button must be positioned, as Mantine's buttons are), which takes the clicks while a menu is open, so a
 * second click closes it as Mantine's own target does. When it closes, the focus returns to the button if
 * it was left in the menu or nowhere (Escape, an item that did its work in place); an item that moved it
 * (quoting a message puts it in the composer) keeps it there, where Mantine would take it back.
 */
export function useLazyMenu(position: MenuProps["position"] = "bottom-end") {
  const [opened, setOpened] = useState(false);
  const [mounted, setMounted] = useState(false);
  const dropdown = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLElement | null>(null);
  const change = (open: boolean) => {
    setOpened(open);
    if (open) return;
    // After the item's own work (its handlers and the effects they cause), before the dropdown unmounts.
    setTimeout(() => {
      const active = document.activeElement;
      if (!active || active === document.body || dropdown.current?.contains(active)) {
        button.current?.focus({ preventScroll: true });
      }
    });
  };
  // The menu mounts closed and opens right after, before the browser paints: Mantine notes which element had
  // the focus when a mounted menu opens, and gives it back on Escape (other closes are `change`'s).
  useLayoutEffect(() => {
    if (mounted) setOpened(true);
  }, [mounted]);
  return {
    /** Whether the menu has been opened once: what only an opened menu needs (its dialogs) can wait for it. */
    mounted,
    targetProps: {
      "aria-haspopup": "menu" as const,
      "aria-expanded": opened,
      onClick: (e: MouseEvent<HTMLElement>) => {
        // Clicks in the dropdown (a portal) reach the button through React's tree: only the button's count.
        if (opened || !e.currentTarget.contains(e.target as Node)) return;
        button.current = e.currentTarget;
        if (mounted) setOpened(true);
        else setMounted(true);
      },
      // An arrow pressed on the button of an open menu reaches its first (or last) item, as it does in the
      // dropdown. The dropdown's focus trap moves the focus into it on timers once it mounts (two, Mantine's): an
      // arrow pressed before them, on the button, or between them, in the dropdown, would be undone. So the
      // item is focused on a timer queued after the trap's, unless the focus is on an item by then.
      onKeyDown: (e: KeyboardEvent<HTMLElement>) => {
        if (!opened || (e.key !== "ArrowDown" && e.key !== "ArrowUp")) return;
        // On the button, or in the dropdown (its keys reach the button through React's tree, after Mantine
        // has moved the focus to an item). An ArrowUp on the button reaches the last item, as in a menu bar.
        const onButton = e.currentTarget.contains(e.target as Node);
        if (onButton) e.preventDefault();
        const last = onButton && e.key === "ArrowUp";
        setTimeout(() => {
          if (document.activeElement?.closest("[data-menu-item]")) return;
          const items = dropdown.current?.querySelectorAll<HTMLElement>("[data-menu-item]:not(:disabled)");
          (last ? items?.[items.length - 1] : items?.[0])?.focus();
        });
      },
    },
    menu: (items: ReactNode, dropdownProps?: MenuDropdownProps & { "data-testid"?: string }) =>
      mounted ? (
        <Menu
          opened={opened}
          onChange={change}
          position={position}
          withinPortal
          returnFocus={false}
          clickOutsideEvents={POINTER_OUTSIDE}
        >
          <Menu.Target>
            <span className="parley-anchor" data-open={opened || undefined} aria-hidden />
          </Menu.Target>
          <Menu.Dropdown {...dropdownProps} ref={dropdown}>
            {items}
          </Menu.Dropdown>
        </Menu>
      ) : null,
  };
}

/**
 * A tooltip shown while the pointer is over the element, mounted when the pointer first reaches it. A label
 * that costs something to build (the ticks' timeline) may be given as a function, called only then.
 */
export function useLazyTooltip(
  label: ReactNode | (() => ReactNode),
  props?: Omit<TooltipProps, "label" | "opened" | "children">,
) {
  const [pointed, setPointed] = useState<boolean | null>(null);
  return {
    targetProps: {
      onPointerEnter: () => setPointed(true),
      onPointerLeave: () => setPointed(false),
    },
    tooltip:
      pointed === null ? null : (
        <Tooltip {...props} opened={pointed} label={typeof label === "function" ? label() : label}>
          <span className="parley-anchor" />
        </Tooltip>
      ),
  };
}
