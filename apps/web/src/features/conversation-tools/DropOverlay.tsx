import { DropzoneFullScreen } from "@mantine/dropzone";
import "@mantine/dropzone/styles.css";
import { Group, Text } from "@mantine/core";
import { IconUpload } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";

/** Files dragged anywhere over the page drop into the composer (loaded after the inbox, see Composer). */
export default function DropOverlay({
  onDrop,
  disabled,
}: {
  onDrop: (files: File[]) => void;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  return (
    <DropzoneFullScreen
      onDrop={onDrop}
      disabled={disabled}
      multiple
      activateOnClick={false}
      data-testid="drop-overlay"
    >
      <Group justify="center" mih={160} style={{ pointerEvents: "none" }}>
        <IconUpload size={40} stroke={1.4} />
        <Text size="lg">{t("convTools.attach.drop")}</Text>
      </Group>
    </DropzoneFullScreen>
  );
}
