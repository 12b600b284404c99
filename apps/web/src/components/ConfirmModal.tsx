import { Button, Group, Modal, Text } from "@mantine/core";
import type { ReactNode } from "react";

/** A question with a warning, a cancel button and a red button that does it. */
export function ConfirmModal({
  opened,
  onClose,
  title,
  warning,
  cancelLabel,
  confirmLabel,
  loading,
  onConfirm,
  confirmTestId,
}: {
  opened: boolean;
  onClose: () => void;
  title: ReactNode;
  warning: ReactNode;
  cancelLabel: ReactNode;
  confirmLabel: ReactNode;
  loading: boolean;
  onConfirm: () => void;
  confirmTestId?: string;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title}>
      <Text size="sm" mb="md">
        {warning}
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          {cancelLabel}
        </Button>
        <Button color="red" loading={loading} onClick={onConfirm} data-testid={confirmTestId}>
          {confirmLabel}
        </Button>
      </Group>
    </Modal>
  );
}
