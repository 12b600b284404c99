import { ActionIcon, Tooltip } from "@mantine/core";
import type { Attachment } from "@parley/protocol";
import { IconDownload } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";

/** A link that downloads a stored file under its own name; with `tooltip`, its label also shows on hover. */
export function DownloadButton({ a, tooltip = false }: { a: Attachment; tooltip?: boolean }) {
  const { t } = useTranslation();
  const button = (
    <ActionIcon
      component="a"
      href={a.url}
      download={a.name}
      variant="subtle"
      size="sm"
      aria-label={t("convTools.files.download")}
    >
      <IconDownload size={14} />
    </ActionIcon>
  );
  return tooltip ? <Tooltip label={t("convTools.files.download")}>{button}</Tooltip> : button;
}
