import type { ReactNode } from 'react';

interface CheckProps {
  label: ReactNode;
  checked: boolean;
  onChange(checked: boolean): void;
  testId: string;
  title?: string;
}

/** A checkbox with its label beside it (the test id is on the box itself). */
export function Check({ label, checked, onChange, testId, title }: CheckProps) {
  return (
    <label className="check" title={title}>
      <input
        type="checkbox"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
        data-testid={testId}
      />
      {label}
    </label>
  );
}
