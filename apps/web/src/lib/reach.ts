import { type FocusEvent, useLayoutEffect, useRef, useState } from "react";

/**
 * Whether the pointer or the keyboard focus has reached an element yet. Parts that only matter then
 * (tooltips, menus, popovers: each a floating-ui instance with its listeners) are rendered from that
 * moment, not for every message on every switch of conversation. Wrapping a control in a tooltip or a menu
 * mounts it anew, so a control that took the focus gets it back (found by its `data-testid`).
 */
export function useReached<T extends HTMLElement>() {
  const [reached, setReached] = useState(false);
  const ref = useRef<T>(null);
  const refocus = useRef<string | null>(null);
  useLayoutEffect(() => {
    const id = refocus.current;
    refocus.current = null;
    const root = ref.current;
    if (!reached || !id || !root) return;
    const el = root.dataset.testid === id ? root : root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
    if (el && document.activeElement !== el) el.focus();
  }, [reached]);
  return {
    reached,
    ref,
    onPointerEnter: () => setReached(true),
    onFocus: (e: FocusEvent<T>) => {
      if (reached) return;
      refocus.current = (e.target as HTMLElement).dataset.testid ?? null;
      setReached(true);
    },
  };
}
