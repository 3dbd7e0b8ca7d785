interface SmoothnessFieldProps {
  label: string;
  value: number;
  onChange(value: number): void;
  testId: string;
  /** What a weight of 0 follows (the data, the probabilities). */
  follows: string;
}

/** A surface's smoothing weight in [0, 1] as a slider, its value shown in the label. */
export function SmoothnessField({ label, value, onChange, testId, follows }: SmoothnessFieldProps) {
  return (
    <label className="field" title={`0 follows ${follows} only; 1 smooths most`}>
      <span>
        {label} {value.toFixed(2)}
      </span>
      <input
        type="range"
        min={0}
        max={1}
        step={0.05}
        value={value}
        onChange={(event) => onChange(Number(event.target.value))}
        data-testid={testId}
      />
    </label>
  );
}
