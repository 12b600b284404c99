import { Loader } from "@mantine/core";
import { IconMoodSmile } from "@tabler/icons-react";
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { ComposerPopover } from "./ComposerPopover";

// The emoji library is loaded only when the picker is first opened: the inbox's initial bundle stays small.
const EmojiPicker = lazy(() => import("emoji-picker-react"));

export function EmojiButton({ onPick, disabled }: { onPick: (emoji: string) => void; disabled?: boolean }) {
  const { t, i18n } = useTranslation();
  const [opened, setOpened] = useState(false);
  return (
    <ComposerPopover
      label={t("convTools.emoji")}
      testId="emoji-button"
      icon={<IconMoodSmile size={18} />}
      disabled={disabled}
      opened={opened}
      onChange={setOpened}
      padding={0}
    >
      {opened ? (
        <Suspense fallback={<Loader size="sm" m="md" />}>
          <EmojiPicker
            // Native glyphs: no images fetched from a CDN.
            emojiStyle={"native" as never}
            lazyLoadEmojis
            previewConfig={{ showPreview: false }}
            searchPlaceHolder={t("convTools.emojiSearch")}
            skinTonesDisabled
            height={360}
            width={320}
            key={i18n.language}
            onEmojiClick={(e: { emoji: string }) => onPick(e.emoji)}
          />
        </Suspense>
      ) : null}
    </ComposerPopover>
  );
}
