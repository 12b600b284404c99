import { IconDots } from "@tabler/icons-react";
import type { ReactNode } from "react";
import "./controls.css";
import { useLazyMenu } from "./lazy-popups";

/**
 * A small "…" button whose menu is mounted when it is first opened (`useLazyMenu`): a feed draws one per
 * message on every switch of conversation.
 */
export function LazyDotsMenu({
  label,
  testId,
  iconSize,
  children,
}: {
  label: string;
  testId: string;
  iconSize: number;
  children: ReactNode;
}) {
  const menu = useLazyMenu();
  return (
    <button
      type="button"
      className="parley-icon-button"
      aria-label={label}
      data-testid={testId}
      {...menu.targetProps}
    >
      <IconDots size={iconSize} />
      {menu.menu(children)}
    </button>
  );
}
