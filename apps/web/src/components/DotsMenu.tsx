import { ActionIcon, type ActionIconProps, Menu } from "@mantine/core";
import { IconDots } from "@tabler/icons-react";
import type { ReactNode } from "react";

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
