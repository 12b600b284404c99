import { ActionIcon, type ActionIconProps, Menu } from "@mantine/core";
import { IconDots } from "@tabler/icons-react";
import { type ReactNode, useState } from "react";
import "./controls.css";

/** A "…" button opening a menu of actions at its bottom right. */
export function DotsMenu({
  label,
  testId,
  variant,
  size,
  color,
  iconSize,
  children,
}: {
  label: string;
  testId: string;
  variant: ActionIconProps["variant"];
  size: ActionIconProps["size"];
  color?: ActionIconProps["color"];
  iconSize: number;
  children: ReactNode;
}) {
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant={variant} size={size} color={color} aria-label={label} data-testid={testId}>
          <IconDots size={iconSize} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>{children}</Menu.Dropdown>
    </Menu>
  );
}

/**
 * A small "…" button whose menu is mounted when it is first opened: a feed draws one per message on every
 * switch of conversation, and a mounted menu (its floating-ui instance and listeners) is work each time.
 * The button stays the same element when the menu mounts, so a click that arrives with the pointer is
 * never lost to a replaced button. The menu is anchored to a box laid over the button (`parley-anchor`),
 * which takes the clicks while the menu is open, so a second click closes it as Mantine's own target does;
 * the focus returns to the button when it closes.
 */
export function LazyDotsMenu({
  label,
  testId,
  iconSize,
  children,
}: {
  label: string;
  testId: string;
  iconSize: number;
  children: ReactNode;
}) {
  const [opened, setOpened] = useState(false);
  const [mounted, setMounted] = useState(false);
  return (
    <button
      type="button"
      className="parley-icon-button"
      aria-label={label}
      aria-haspopup="menu"
      aria-expanded={opened}
      data-testid={testId}
      onClick={(e) => {
        // Clicks in the dropdown (a portal) reach this handler through React's tree: only the button's count.
        if (opened || !e.currentTarget.contains(e.target as Node)) return;
        setMounted(true);
        setOpened(true);
      }}
    >
      <IconDots size={iconSize} />
      {mounted ? (
        <Menu opened={opened} onChange={setOpened} position="bottom-end" withinPortal>
          <Menu.Target>
            <span className="parley-anchor" data-open={opened || undefined} aria-hidden />
          </Menu.Target>
          <Menu.Dropdown>{children}</Menu.Dropdown>
        </Menu>
      ) : null}
    </button>
  );
}
