import { Box, Center, Group, Paper, Stack, Text, ThemeIcon, Title } from "@mantine/core";
import { IconMessages } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { LanguageSwitch } from "../LanguageSwitch";

export function AuthLayout({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle?: string;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Box mih="100vh" bg="gray.0">
      <Group justify="flex-end" p="md">
        <LanguageSwitch />
      </Group>
      <Center pb="xl">
        <Stack w={420} maw="92vw" gap="lg">
          <Group gap="sm" justify="center">
            <ThemeIcon size={40} radius="md" variant="filled">
              <IconMessages size={24} />
            </ThemeIcon>
            <Stack gap={0}>
              <Text fw={700} size="xl">
                {t("app.name")}
              </Text>
              <Text size="xs" c="dimmed">
                {t("app.tagline")}
              </Text>
            </Stack>
          </Group>
          <Paper withBorder shadow="sm" p="xl" radius="lg">
            <Title order={2} size="h3" mb={subtitle ? 4 : "md"}>
              {title}
            </Title>
            {subtitle ? (
              <Text c="dimmed" size="sm" mb="md">
                {subtitle}
              </Text>
            ) : null}
            {children}
          </Paper>
        </Stack>
      </Center>
    </Box>
  );
}
