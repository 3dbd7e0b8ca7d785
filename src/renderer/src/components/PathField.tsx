import { useServices } from '../api/ClientContext';
import { useShell } from './useShell';

interface PathFieldProps {
  label: string;
  value: string;
  placeholder: string;
  onChange(path: string): void;
  testId: string;
  /** The title of the file dialog that "Choose…" opens in the desktop app; none: typed only. */
  pick?: string;
  /** The field takes the row's free width. */
  grow?: boolean;
}

/** A row with a path to type; in the desktop app, also one to choose with its file dialog. */
export function PathField({ label, value, placeholder, onChange, testId, pick, grow = false }: PathFieldProps) {
  const { client } = useServices();
  const electron = useShell() === 'electron';
  const choose = async (title: string): Promise<void> => {
    const path = await client.api.pickFile({ title });
    if (path) onChange(path);
  };
  return (
    <div className="field-row">
      <label className={grow ? 'field grow' : 'field'}>
        <span>{label}</span>
        <input
          type="text"
          value={value}
          placeholder={placeholder}
          onChange={(event) => onChange(event.target.value)}
          data-testid={testId}
        />
      </label>
      {pick && electron && (
        <button type="button" className="small" onClick={() => void choose(pick)}>
          Choose…
        </button>
      )}
    </div>
  );
}
