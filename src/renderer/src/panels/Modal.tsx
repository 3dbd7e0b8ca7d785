// The pieces every dialog shares: a backdrop that closes on a click outside or Escape, and the
// list of recently used paths a user picks from instead of typing.
import { type ReactNode, useEffect, useEffectEvent, useState } from 'react';

export function Modal({
  label,
  testId,
  className,
  onClose,
  onSubmit,
  children,
}: {
  label: string;
  testId: string;
  className?: string;
  onClose(): void;
  /** Makes the dialog a form: Enter submits. */
  onSubmit?: () => void;
  children: ReactNode;
}) {
  const props = {
    className: className ? `modal ${className}` : 'modal',
    role: 'dialog',
    'aria-label': label,
    'data-testid': testId,
    onMouseDown: (event: React.MouseEvent) => event.stopPropagation(),
    onKeyDown: (event: React.KeyboardEvent) => event.key === 'Escape' && onClose(),
  };
  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      {onSubmit ? (
        <form
          {...props}
          onSubmit={(event) => {
            event.preventDefault();
            onSubmit();
          }}
        >
          {children}
        </form>
      ) : (
        <div {...props}>{children}</div>
      )}
    </div>
  );
}

/**
 * The paths `load` gives, asked for once per `source` (null: none). Empty until it answers, and
 * when it fails: recents are a convenience, not worth an error.
 */
export function useRecent(source: unknown, load: () => Promise<string[]>): string[] {
  const [recent, setRecent] = useState<string[]>([]);
  const loadNow = useEffectEvent(load);
  useEffect(() => {
    if (source === null) return;
    let live = true;
    loadNow().then(
      (paths) => live && setRecent(paths),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [source]);
  return recent;
}

export function RecentList({
  title,
  paths,
  onPick,
  testId,
  itemTestId,
}: {
  title: string;
  paths: string[];
  onPick(path: string): void;
  testId: string;
  itemTestId?: string;
}) {
  if (paths.length === 0) return null;
  return (
    <>
      <h3>{title}</h3>
      <ul className="recent" data-testid={testId}>
        {paths.map((path) => (
          <li key={path}>
            <button type="button" className="ghost" title={path} onClick={() => onPick(path)} data-testid={itemTestId}>
              {path}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
