import { Box, Paper, Stack, Text } from "@mantine/core";
import type { WidgetSettings } from "@parley/protocol";
import { IconMessageCircle } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Language, loadLanguage } from "../../i18n";
import { PRECHAT } from "./prechat";

/** A picture of the widget as visitors will see it, following the form as the admin edits it. */
export function WidgetPreview({ settings }: { settings: WidgetSettings }) {
  const { i18n } = useTranslation();
  // The widget's language may not be the admin's: its texts load on demand, and the preview follows.
  const [, setLoaded] = useState("");
  useEffect(() => {
    void loadLanguage(settings.language as Language).then(() => setLoaded(settings.language));
  }, [settings.language]);
  const tw = i18n.getFixedT(settings.language);
  const side = settings.position === "left" ? "flex-start" : "flex-end";
  return (
    <Box
      data-testid="widget-preview"
      data-position={settings.position}
      style={{ background: "var(--mantine-color-gray-1)", borderRadius: 8, padding: 12, height: 420 }}
    >
      <Stack gap={8} align={side} h="100%" justify="flex-end">
        <Paper shadow="md" radius="md" w={260} style={{ overflow: "hidden" }}>
          <Box px="sm" py={8} style={{ background: settings.color, color: "#fff" }}>
            <Text fw={600} size="sm" data-testid="preview-title">
              {tw("widgetAdmin.preview.title")}
            </Text>
          </Box>
          <Stack gap={6} p="sm" style={{ background: "var(--mantine-color-gray-0)", minHeight: 180 }}>
            {settings.greeting ? (
              <Paper withBorder px="xs" py={6} radius="md" maw="85%" data-testid="preview-greeting">
                <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
                  {settings.greeting}
                </Text>
              </Paper>
            ) : null}
            <Paper
              px="xs"
              py={6}
              radius="md"
              maw="85%"
              ml="auto"
              style={{ background: settings.color, color: "#fff" }}
            >
              <Text size="sm">{tw("widgetAdmin.preview.sample")}</Text>
            </Paper>
            {PRECHAT.some((f) => settings.preChat[f] !== "off") ? (
              <Text size="xs" c="dimmed">
                {tw("widgetAdmin.preview.preChat")}
              </Text>
            ) : null}
          </Stack>
          <Box px="sm" py={8} style={{ borderTop: "1px solid var(--mantine-color-gray-3)" }}>
            <Text size="sm" c="dimmed" data-testid="preview-placeholder">
              {tw("widgetAdmin.preview.placeholder")}
            </Text>
          </Box>
        </Paper>
        <Box
          aria-hidden
          style={{
            width: 52,
            height: 52,
            borderRadius: "50%",
            background: settings.color,
            color: "#fff",
            display: "flex",
            alignItems: "center",
            justifyContent: "center",
          }}
        >
          <IconMessageCircle size={26} />
        </Box>
      </Stack>
    </Box>
  );
}
