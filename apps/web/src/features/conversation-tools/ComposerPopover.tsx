import { ActionIcon, type MantineSpacing, Popover, Tooltip } from "@mantine/core";
import type { ReactNode } from "react";

/** A composer button (with its label as a tooltip) that opens a panel above it. */
export function ComposerPopover({
  label,
  testId,
  icon,
  disabled,
  opened,
  onChange,
  width,
  padding,
  children,
}: {
  label: string;
  testId: string;
  icon: ReactNode;
  disabled?: boolean;
  opened: boolean;
  onChange: (opened: boolean) => void;
  width?: number;
  padding: MantineSpacing | number;
  children: ReactNode;
}) {
  return (
    <Popover opened={opened} onChange={onChange} width={width} position="top-start" shadow="md">
      <Popover.Target>
        <Tooltip label={label}>
          <ActionIcon
            variant="subtle"
            color="gray"
            disabled={disabled}
            onClick={() => onChange(!opened)}
            aria-label={label}
            data-testid={testId}
          >
            {icon}
          </ActionIcon>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown p={padding}>{children}</Popover.Dropdown>
    </Popover>
  );
}
