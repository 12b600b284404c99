import { NumberInput, PasswordInput, SimpleGrid, Switch, Text, Textarea, TextInput } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { type FieldDef, type FormValues, fieldId } from "./channelForms";

const HINTS = new Set([
  "botToken",
  "businessAccountId",
  "verifyToken",
  "pageAccessToken",
  "instagramAccessToken",
  "humanAgentTag",
  "outboundUrl",
  "welcomeMessage",
]);

/** The inputs of a connection form, generated from the channel's field definitions. */
export function ChannelFields({
  fields,
  values,
  errors,
  onChange,
  keepEmpty = false,
}: {
  fields: FieldDef[];
  values: FormValues;
  errors: Record<string, string>;
  onChange: (key: string, value: string | boolean) => void;
  /** Replacing credentials: an empty field keeps the stored value, so none is required. */
  keepEmpty?: boolean;
}) {
  const { t } = useTranslation();
  const groups = [...new Set(fields.map((f) => f.key.split(".")[0]!))];
  return (
    <>
      {groups.map((g) => {
        const inGroup = fields.filter((f) => f.key.split(".")[0] === g);
        const nested = inGroup[0]!.key.includes(".");
        const inputs = inGroup.map((f) => {
          const id = fieldId(f.key);
          const label = t(`channels.fields.${id}`);
          const description = f.hint && HINTS.has(id) ? t(`channels.hints.${id as "botToken"}`) : undefined;
          const common = {
            label,
            description,
            error: errors[f.key],
            required: f.required && !keepEmpty,
            "data-testid": `field-${f.key}`,
          };
          const value = values[f.key];
          switch (f.kind) {
            case "switch":
              return (
                <Switch
                  key={f.key}
                  label={label}
                  description={description}
                  error={errors[f.key]}
                  checked={Boolean(value)}
                  onChange={(e) => onChange(f.key, e.currentTarget.checked)}
                  data-testid={`field-${f.key}`}
                  mt={nested ? "lg" : undefined}
                />
              );
            case "secret":
              return (
                <PasswordInput
                  key={f.key}
                  {...common}
                  autoComplete="new-password"
                  placeholder={keepEmpty ? t("channels.form.keepCurrent") : undefined}
                  value={String(value ?? "")}
                  onChange={(e) => onChange(f.key, e.currentTarget.value)}
                />
              );
            case "number":
              return (
                <NumberInput
                  key={f.key}
                  {...common}
                  min={1}
                  max={65535}
                  hideControls
                  value={String(value ?? "")}
                  onChange={(v) => onChange(f.key, String(v))}
                />
              );
            case "textarea":
              return (
                <Textarea
                  key={f.key}
                  {...common}
                  autosize
                  minRows={2}
                  maxRows={6}
                  maxLength={7000}
                  value={String(value ?? "")}
                  onChange={(e) => onChange(f.key, e.currentTarget.value)}
                />
              );
            default:
              return (
                <TextInput
                  key={f.key}
                  {...common}
                  type={f.kind === "url" ? "url" : f.kind === "email" ? "email" : "text"}
                  placeholder={
                    f.kind === "url" ? "https://" : keepEmpty ? t("channels.form.keepCurrent") : undefined
                  }
                  value={String(value ?? "")}
                  onChange={(e) => onChange(f.key, e.currentTarget.value)}
                />
              );
          }
        });
        if (!nested) return inputs;
        return (
          <div key={g}>
            <Text fw={600} size="sm" mt="xs" mb={4}>
              {t(`channels.form.${g as "imap" | "smtp"}`)}
            </Text>
            <SimpleGrid cols={2} spacing="sm" verticalSpacing="xs">
              {inputs}
            </SimpleGrid>
          </div>
        );
      })}
    </>
  );
}
