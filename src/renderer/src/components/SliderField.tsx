interface SliderFieldProps {
  label: string;
  /** The value as the label shows it. */
  shown: string;
  /** In [0, 1]. */
  value: number;
  step: number;
  onChange(value: number): void;
  testId: string;
  title?: string;
}

/** A slider over [0, 1] in a labelled field, its value shown beside the label. */
export function SliderField({ label, shown, value, step, onChange, testId, title }: SliderFieldProps) {
  return (
    <label className="field" title={title}>
      <span>
        {label} {shown}
      </span>
      <input
        type="range"
        min={0}
        max={1}
        step={step}
        value={value}
        onChange={(event) => onChange(Number(event.target.value))}
        data-testid={testId}
      />
    </label>
  );
}
