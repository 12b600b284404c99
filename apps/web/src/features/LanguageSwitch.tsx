import { Button, Menu } from "@mantine/core";
import { IconCheck, IconLanguage } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { LANGUAGES, type Language, setLanguage } from "../i18n";

/** The language menu; signed-in pages pass onChange to keep the choice on the user. */
export function LanguageSwitch({ onChange }: { onChange?: (lang: Language) => void } = {}) {
  const { t, i18n } = useTranslation();
  const current = i18n.language as Language;
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          variant="subtle"
          color="gray"
          size="compact-sm"
          leftSection={<IconLanguage size={16} />}
          aria-label={`${t("common.language")}: ${t(`languages.${current}`)}`}
          data-testid="language-switch"
        >
          {t(`languages.${current}`)}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{t("common.language")}</Menu.Label>
        {LANGUAGES.map((lang) => (
          <Menu.Item
            key={lang}
            lang={lang}
            data-testid={`language-${lang}`}
            onClick={() => (onChange ? onChange(lang) : setLanguage(lang))}
            rightSection={lang === current ? <IconCheck size={14} /> : null}
          >
            {t(`languages.${lang}`)}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
