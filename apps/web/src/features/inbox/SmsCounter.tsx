import { Alert, Text } from "@mantine/core";
import type { ChannelCapabilities } from "@parley/protocol/capabilities";
import { smsSegments } from "@parley/protocol/sms";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";

/** The SMS part count of the text being typed: parts, encoding and room left in the last part. */
export function SmsParts({ text }: { text: string }) {
  const { t } = useTranslation();
  const s = smsSegments(text);
  return (
    <Text
      span
      size="xs"
      c="dimmed"
      data-testid="sms-parts"
      data-segments={s.segments}
      data-encoding={s.encoding}
    >
      {" · "}
      {t("sms.parts", { count: s.segments })} ({t(`sms.encoding.${s.encoding}`)}),{" "}
      {t("sms.left", { count: s.remaining })}
    </Text>
  );
}

/** A warning before sending a text that would go as more SMS parts than the channel's threshold. */
export function SmsManyParts({ caps, text }: { caps: ChannelCapabilities; text: string }) {
  const { t } = useTranslation();
  if (!caps.sms) return null;
  const { segments } = smsSegments(text);
  if (segments <= caps.sms.warnAboveSegments) return null;
  return (
    <Alert
      color="yellow"
      variant="light"
      py={6}
      mb={6}
      icon={<IconAlertTriangle size={16} />}
      data-testid="sms-many-parts"
    >
      <Text size="sm">{t("sms.manyParts", { count: segments })}</Text>
    </Alert>
  );
}
