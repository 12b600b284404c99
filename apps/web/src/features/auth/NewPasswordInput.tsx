import { PasswordInput } from "@mantine/core";
import { useTranslation } from "react-i18next";

/** The field where a person chooses a password (at least 10 characters). */
export function NewPasswordInput({
  label,
  description,
  value,
  onChange,
}: {
  label: string;
  description: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <PasswordInput
      name="password"
      label={label}
      description={description}
      autoComplete="new-password"
      required
      minLength={10}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      visibilityToggleButtonProps={{ "aria-label": t("common.togglePassword") }}
    />
  );
}
