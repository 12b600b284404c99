import {
  NumberInput,
  PasswordInput,
  Select,
  SimpleGrid,
  Switch,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { FieldDef, FormValues } from "./schemaForm";

/** A label or help text the server's form schema names by its i18n key (see locales/<lang>/channel-forms.ts). */
const named = (t: TFunction, key: string) => t(key as "channelForms.fields.botToken");

function FieldInput({
  f,
  value,
  error,
  onChange,
  keepEmpty,
}: {
  f: FieldDef;
  value: string | boolean | undefined;
  error: string | undefined;
  onChange: (key: string, value: string | boolean) => void;
  keepEmpty: boolean;
}) {
  const { t } = useTranslation();
  const label = named(t, f.label);
  const description = f.hint ? named(t, f.hint) : undefined;
  const common = {
    label,
    description,
    error,
    required: f.required && !keepEmpty,
    "data-testid": `field-${f.key}`,
  };
  const text = String(value ?? "");
  const onText = (v: string) => onChange(f.key, v);
  switch (f.kind) {
    case "switch":
      return (
        <Switch
          label={label}
          description={description}
          error={error}
          checked={Boolean(value)}
          onChange={(e) => onChange(f.key, e.currentTarget.checked)}
          data-testid={`field-${f.key}`}
          mt={f.section ? "lg" : undefined}
        />
      );
    case "secret":
      return (
        <PasswordInput
          {...common}
          autoComplete="new-password"
          placeholder={keepEmpty ? t("channels.form.keepCurrent") : undefined}
          value={text}
          onChange={(e) => onText(e.currentTarget.value)}
        />
      );
    case "number":
      return (
        <NumberInput
          {...common}
          min={1}
          max={65535}
          hideControls
          value={text}
          onChange={(v) => onText(String(v))}
        />
      );
    case "select":
      return <Select {...common} data={f.options} value={text || null} onChange={(v) => onText(v ?? "")} />;
    case "textarea":
      return (
        <Textarea
          {...common}
          autosize
          minRows={2}
          maxRows={6}
          maxLength={f.maxLength ?? undefined}
          value={text}
          onChange={(e) => onText(e.currentTarget.value)}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          type={f.kind === "url" ? "url" : f.kind === "email" ? "email" : "text"}
          placeholder={f.kind === "url" ? "https://" : keepEmpty ? t("channels.form.keepCurrent") : undefined}
          value={text}
          onChange={(e) => onText(e.currentTarget.value)}
        />
      );
  }
}

/** The inputs of a connection form, generated from the channel's form schema; nested fields as sections. */
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
  const sections = [...new Set(fields.map((f) => f.section))];
  return (
    <>
      {sections.map((section) => {
        const inputs = fields
          .filter((f) => f.section === section)
          .map((f) => (
            <FieldInput
              key={f.key}
              f={f}
              value={values[f.key]}
              error={errors[f.key]}
              onChange={onChange}
              keepEmpty={keepEmpty}
            />
          ));
        if (!section) return inputs;
        return (
          <div key={section}>
            <Text fw={600} size="sm" mt="xs" mb={4}>
              {named(t, section)}
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
