import { useId } from "react";
import "./controls.css";

/**
 * A choice of two or three modes drawn as segments: native radio buttons (arrow keys move between them)
 * with the look of Mantine's SegmentedControl, without its indicator that measures itself when it mounts (a
 * forced layout), as the composer, which has one, is drawn anew for every conversation opened.
 */
export function Segments<T extends string>({
  value,
  onChange,
  data,
  testId,
}: {
  value: T;
  onChange: (value: T) => void;
  data: readonly { value: T; label: string }[];
  testId?: string;
}) {
  const name = useId();
  return (
    <div className="parley-segments" data-testid={testId}>
      {data.map((d) => (
        <label key={d.value} data-checked={d.value === value || undefined}>
          <input
            type="radio"
            name={name}
            value={d.value}
            checked={d.value === value}
            onChange={() => onChange(d.value)}
          />
          {d.label}
        </label>
      ))}
    </div>
  );
}
