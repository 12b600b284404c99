import { Button, CopyButton, Group, TextInput } from "@mantine/core";
import { IconCopy } from "@tabler/icons-react";

/** A link shown read-only with a Copy button (invitation and reset links an admin hands over). */
export function CopyLinkField({
  url,
  copyLabel,
  copiedLabel,
  testId,
}: {
  url: string;
  copyLabel: string;
  copiedLabel: string;
  testId: string;
}) {
  return (
    <Group gap="xs" wrap="nowrap">
      <TextInput
        readOnly
        value={url}
        style={{ flex: 1 }}
        aria-label={copyLabel}
        data-testid={testId}
        onFocus={(e) => e.currentTarget.select()}
      />
      <CopyButton value={url}>
        {({ copied, copy }) => (
          <Button variant="default" leftSection={<IconCopy size={16} />} onClick={copy}>
            {copied ? copiedLabel : copyLabel}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}
