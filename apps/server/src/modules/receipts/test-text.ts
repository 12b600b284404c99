import { z } from "zod";

/** The languages Parley writes its own words to customers in. */
export const TestLanguage = z.enum(["en", "ru", "uk"]);
export type TestLanguage = z.infer<typeof TestLanguage>;

/** The workspace's language (`settings.language`), English when unset. */
export function parseWorkspaceLanguage(settings: unknown): TestLanguage {
  const parsed = TestLanguage.safeParse((settings as { language?: unknown } | null)?.language);
  return parsed.success ? parsed.data : "en";
}

const TEXT: Record<TestLanguage, (workspace: string) => string> = {
  en: (w) =>
    `[Parley test] A test message from ${w} to check delivery and read receipts. No reply is needed.`,
  ru: (w) =>
    `[Тест Parley] Проверочное сообщение от ${w} для проверки статусов доставки и прочтения. Отвечать не нужно.`,
  uk: (w) =>
    `[Тест Parley] Перевірочне повідомлення від ${w} для перевірки статусів доставки й прочитання. Відповідати не потрібно.`,
};

/** The diagnostics test message, labelled as a test, in the given language. */
export const testMessageText = (language: TestLanguage, workspace: string) => TEXT[language](workspace);
