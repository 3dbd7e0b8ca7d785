import { useViewer } from '../store/viewer';

export function ErrorBanner() {
  const error = useViewer((state) => state.error);
  const setError = useViewer((state) => state.setError);
  if (!error) return null;
  return (
    <div className="error-banner" role="alert" data-testid="error">
      <div>
        <strong>{error.title}</strong>
        <p data-testid="error-message">{error.message}</p>
      </div>
      <button type="button" className="ghost small" onClick={() => setError(null)} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}
