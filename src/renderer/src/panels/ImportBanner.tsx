// The prompt to convert the open volume to OME-Zarr: offered when the file is slow to slice across
// its stored slices (or asked for from the volume panel), with the destination, progress with time
// left, and Cancel; the copy opens when it is done.
import { useEffect } from 'react';
import type { VolumeInfo } from '../../../shared/volume';
import { useServices } from '../api/ClientContext';
import { RunningJob } from '../components/JobProgress';
import { Message } from '../components/Message';
import { formatBytes } from '../lib/format';
import { adviseImport, openConverted, showImportPrompt, startImport, useImport } from '../store/import';
import { useJob } from '../store/jobs';
import './ImportBanner.css';

export function ImportBanner({ volume }: { volume: VolumeInfo }) {
  const services = useServices();
  const { advice, prompt, dest, jobId } = useImport();
  const job = useJob(jobId);
  useEffect(() => {
    void adviseImport(services, volume);
  }, [services, volume]);
  if (!prompt) return null;
  const running = job?.state === 'running';
  const stored = advice?.format.startsWith('TIFF') ? 'pages' : 'stored slices';

  return (
    <div className="import-banner" role="status" data-testid="import-banner">
      <p data-testid="import-reason">
        {advice?.slow
          ? `Slicing across ${stored} of this ${formatBytes(advice.bytes)} ${advice.format} reads every one of them; convert to OME-Zarr for fast browsing.`
          : 'Convert to a chunked OME-Zarr with a pyramid: fast slices along every axis.'}
      </p>
      {running && (
        <div className="import-row" data-testid="import-progress">
          <RunningJob job={job} messageTestId="import-message" cancelTestId="import-cancel" />
        </div>
      )}
      {job?.state === 'done' && (
        <div className="import-row">
          <button
            type="button"
            className="small"
            onClick={() => void openConverted(services)}
            data-testid="import-open"
          >
            Open the copy
          </button>
          <button type="button" className="ghost small" onClick={() => showImportPrompt(false)}>
            Not now
          </button>
        </div>
      )}
      {!running && job?.state !== 'done' && (
        <div className="import-row">
          <label className="import-dest">
            <span className="muted">Save as</span>
            <input
              value={dest}
              onChange={(event) => useImport.setState({ dest: event.target.value })}
              spellCheck={false}
              data-testid="import-dest"
            />
          </label>
          <button
            type="button"
            className="primary small"
            onClick={() => void startImport(services)}
            disabled={!dest.trim()}
            data-testid="import-start"
          >
            Convert
          </button>
          <button
            type="button"
            className="ghost small"
            onClick={() => showImportPrompt(false)}
            data-testid="import-dismiss"
          >
            Not now
          </button>
        </div>
      )}
      <Message place="import" testId="import-notice" />
    </div>
  );
}
