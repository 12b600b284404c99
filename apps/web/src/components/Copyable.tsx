import { ActionIcon, Code, CopyButton, Group, Tooltip } from "@mantine/core";
import { IconCheck, IconCopy } from "@tabler/icons-react";

/** A value shown as code with a button that copies it; the labels come translated from the caller. */
export function Copyable({
  value,
  testId,
  copyLabel,
  copiedLabel,
}: {
  value: string;
  testId: string;
  copyLabel: string;
  copiedLabel: string;
}) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Code block style={{ flex: 1, wordBreak: "break-all", whiteSpace: "pre-wrap" }} data-testid={testId}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? copiedLabel : copyLabel}>
            <ActionIcon
              variant="light"
              color={copied ? "teal" : "gray"}
              onClick={copy}
              aria-label={copyLabel}
            >
              {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
