// The project bar: New / Open / Save / Save As / Close, Export for sharing and Import of bundles
// (with their job's progress), the project's name, read-only state and notices, and its volumes.
import { useEffect, useRef, useState } from 'react';
import { useServices } from '../api/ClientContext';
import { Check } from '../components/Check';
import { RunningJob } from '../components/JobProgress';
import { Message } from '../components/Message';
import { useShell } from '../components/useShell';
import {
  addShownVolume,
  closeProject,
  exportBundle,
  importBundle,
  newProject,
  openProject,
  refresh,
  saveProject,
  saveProjectAs,
  showProjectVolume,
  useProject,
} from '../store/project';
import { useJob } from '../store/jobs';
import { useSegmentation } from '../store/segmentation';
import { useViewer } from '../store/viewer';
import { Modal, RecentList, useRecent } from './Modal';
import { RelinkDialog } from './RelinkDialog';
import './ProjectPanel.css';

/** `save-new`: Save with no project open asks where, then creates the project and saves into it. */
type DialogKind = 'new' | 'save-new' | 'open' | 'save-as' | 'export' | 'import';

const STATUS_TEXT = {
  found: 'found',
  'content-differs': 'data differ',
  missing: 'missing',
  closed: 'closed',
} as const;

export function ProjectPanel() {
  const services = useServices();
  const { client } = services;
  const { project, busy, jobId } = useProject();
  const job = useJob(jobId);
  const shown = useViewer((state) => state.volume);
  const opening = useViewer((state) => state.opening);
  const [dialog, setDialog] = useState<DialogKind | null>(null);
  const [relinking, setRelinking] = useState(false);
  const shell = useShell();

  // The server may have a project open already (a reloaded page): show it.
  useEffect(() => {
    void refresh(services, true).catch(() => undefined);
  }, [services]);
  // Opening or closing a volume elsewhere in the app can take a project volume in or out.
  useEffect(() => {
    if (!opening) void refresh(services).catch(() => undefined);
  }, [services, shown?.id, opening]);
  // Strokes change the labelled voxel counts: refresh shortly after the labels tools settle.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = useSegmentation.subscribe(() => {
      if (!useProject.getState().project) return;
      clearTimeout(timer);
      timer = setTimeout(() => void refresh(services).catch(() => undefined), 400);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [services]);
  // A project that opens with volumes missing asks for them at once (once per opening).
  const hasMissing = !!project?.volumes.some((v) => v.status === 'missing');
  const askedFor = useRef<string | null>(null);
  useEffect(() => {
    if (!project) askedFor.current = null;
    else if (hasMissing && askedFor.current !== project.path) {
      askedFor.current = project.path;
      setRelinking(true);
    }
  }, [project, hasMissing]);

  const browse = shell === 'electron' ? (title: string) => client.api.pickFile({ title }) : undefined;
  const jobRunning = job?.state === 'running';
  const inProject = !!shown && !!project?.volumes.some((v) => v.volume?.id === shown.id);
  const disabled = !!busy || jobRunning;

  return (
    <section className="project-bar" data-testid="project-panel">
      <div className="project-row">
        <span className="project-label muted">Project</span>
        {project ? (
          <span className="project-name" title={project.path} data-testid="project-name">
            {project.name}
          </span>
        ) : (
          <span className="muted" data-testid="project-name">
            none
          </span>
        )}
        {project?.readOnly && (
          <span className="badge warn" data-testid="project-readonly" title="Changes are not saved; use Save As">
            read-only
          </span>
        )}
        <div className="project-actions">
          <button type="button" onClick={() => setDialog('new')} disabled={disabled} data-testid="project-new">
            New…
          </button>
          <button type="button" onClick={() => setDialog('open')} disabled={disabled} data-testid="project-open">
            Open…
          </button>
          <button
            type="button"
            onClick={() => (project ? void saveProject(services) : setDialog('save-new'))}
            disabled={disabled || !!project?.readOnly}
            title={project ? undefined : 'Save into a new project (asks where)'}
            data-testid="project-save"
          >
            Save
          </button>
          <button
            type="button"
            onClick={() => setDialog('save-as')}
            disabled={disabled || !project}
            data-testid="project-save-as"
          >
            Save As…
          </button>
          <button
            type="button"
            onClick={() => void closeProject(services)}
            disabled={disabled || !project}
            data-testid="project-close"
          >
            Close
          </button>
          <button
            type="button"
            onClick={() => setDialog('export')}
            disabled={disabled || !project}
            data-testid="project-export"
          >
            Export for sharing…
          </button>
          <button type="button" onClick={() => setDialog('import')} disabled={disabled} data-testid="project-import">
            Import bundle…
          </button>
          {project && shown && !inProject && !project.readOnly && (
            <button
              type="button"
              onClick={() => void addShownVolume(services)}
              disabled={disabled}
              data-testid="project-add-volume"
            >
              Add {shown.name}
            </button>
          )}
          {hasMissing && (
            <button type="button" className="primary" onClick={() => setRelinking(true)} data-testid="project-relink">
              Relink…
            </button>
          )}
        </div>
        {busy && <span className="muted">{busy}…</span>}
      </div>

      {job && jobRunning && (
        <div className="project-row" data-testid="project-job">
          <RunningJob
            job={job}
            message={
              <>
                {job.message || (job.kind === 'export-bundle' ? 'exporting' : 'importing')}
                {job.total > 0 && ` (${job.done} / ${job.total})`}
              </>
            }
            messageTestId="project-job-message"
            cancelTestId="project-job-cancel"
          />
        </div>
      )}

      {project && project.volumes.length > 0 && (
        <ul className="project-volumes" data-testid="project-volumes">
          {project.volumes.map((v) => (
            <li
              key={v.id}
              data-testid="project-volume"
              data-status={v.status}
              data-found-by={v.foundBy ?? ''}
              data-labelled={v.labelledVoxels}
            >
              <span className="project-volume-name" title={v.volume?.path ?? v.absolutePath}>
                {v.name}
              </span>
              <span className={`badge ${v.status === 'found' ? 'ok' : 'warn'}`} data-testid="project-volume-status">
                {STATUS_TEXT[v.status]}
              </span>
              <span className="muted">{v.labelledVoxels.toLocaleString('en')} labelled voxels</span>
              {v.status !== 'missing' && v.volume?.id !== shown?.id && (
                <button
                  type="button"
                  className="small"
                  onClick={() => void showProjectVolume(services, v.id)}
                  disabled={disabled}
                  data-testid="project-volume-show"
                >
                  Show
                </button>
              )}
            </li>
          ))}
        </ul>
      )}

      {project?.notices.map((notice) => (
        <p key={notice} className="message message-warning" data-testid="project-notice">
          {notice}
        </p>
      ))}
      <Message place="project" testId="project-message" dismissable />

      {dialog && <ProjectDialog kind={dialog} browse={browse} onClose={() => setDialog(null)} />}
      {relinking && project && <RelinkDialog project={project} browse={browse} onClose={() => setRelinking(false)} />}
    </section>
  );
}

interface DialogSpec {
  title: string;
  hint: string;
  fields: { label: string; placeholder: string }[];
  action: string;
}

const DIALOGS: Record<DialogKind, DialogSpec> = {
  new: {
    title: 'New project',
    hint: 'A .tomoseg file on the machine that runs Tomoseg. The volume shown now joins it with its labels.',
    fields: [{ label: 'Project file', placeholder: '/data/study/study.tomoseg' }],
    action: 'Create',
  },
  'save-new': {
    title: 'Save as a new project',
    hint: 'No project is open yet: choose a .tomoseg file on the machine that runs Tomoseg (a missing folder is created). The volume shown goes into it with its labels, model and segmentation.',
    fields: [{ label: 'Project file', placeholder: '/data/study/study.tomoseg' }],
    action: 'Save',
  },
  open: {
    title: 'Open a project',
    hint: 'Its volumes are found next to it, where they were, or by their content nearby.',
    fields: [{ label: 'Project file', placeholder: '/data/study/study.tomoseg' }],
    action: 'Open',
  },
  'save-as': {
    title: 'Save the project as',
    hint: 'Writes a copy (volume paths re-based on its folder) and continues in the copy.',
    fields: [{ label: 'Project file', placeholder: '/data/study/study-copy.tomoseg' }],
    action: 'Save',
  },
  export: {
    title: 'Export for sharing',
    hint: 'A folder with the project, which opens on any machine; optionally with a copy of the data.',
    fields: [{ label: 'Bundle folder (new)', placeholder: '/data/share/study-bundle' }],
    action: 'Export',
  },
  import: {
    title: 'Import a bundle',
    hint: 'Copies an exported bundle folder into a folder of yours and opens its project.',
    fields: [
      { label: 'Bundle folder', placeholder: '/data/incoming/study-bundle' },
      { label: 'Copy into folder', placeholder: '/data/projects' },
    ],
    action: 'Import',
  },
};

/** Asks for the path(s) of one project action; web mode types them, the desktop can browse. */
function ProjectDialog({
  kind,
  browse,
  onClose,
}: {
  kind: DialogKind;
  browse?: (title: string) => Promise<string | null>;
  onClose(): void;
}) {
  const services = useServices();
  const spec = DIALOGS[kind];
  const [values, setValues] = useState<string[]>(spec.fields.map(() => ''));
  const [includeData, setIncludeData] = useState(false);
  const [preview, setPreview] = useState(false);
  const recent = useRecent(kind === 'open' ? services : null, () => services.client.api.recentProjects({}));
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  /** Why creating the project failed: the dialog stays open to fix the path. */
  const [problem, setProblem] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  const submit = (given: string[]): void => {
    const paths = given.map((v) => v.trim());
    if (paths.some((p) => !p)) return;
    const [a, b] = paths as [string, string];
    if (kind === 'new' || kind === 'save-new') {
      setProblem(null);
      setCreating(true);
      void newProject(services, a, { save: kind === 'save-new' }).then((failed) => {
        setCreating(false);
        if (failed) setProblem(failed);
        else onClose();
      });
      return;
    }
    onClose();
    if (kind === 'open') void openProject(services, a);
    if (kind === 'save-as') void saveProjectAs(services, a);
    if (kind === 'export') void exportBundle(services, a, { includeData, preview });
    if (kind === 'import') void importBundle(services, a, b);
  };
  const set = (index: number, value: string): void =>
    setValues((current) => current.map((v, i) => (i === index ? value : v)));

  return (
    <Modal label={spec.title} testId="project-dialog" onClose={onClose} onSubmit={() => submit(values)}>
      <h2>{spec.title}</h2>
      <p className="hint">{spec.hint}</p>
      {spec.fields.map((field, index) => (
        <label key={field.label} className="field">
          <span>{field.label}</span>
          <span className="project-path-row">
            <input
              ref={index === 0 ? first : undefined}
              type="text"
              placeholder={field.placeholder}
              spellCheck={false}
              value={values[index]}
              onChange={(event) => set(index, event.target.value)}
              data-testid={`project-path-${index}`}
            />
            {browse && (
              <button type="button" onClick={() => void browse(field.label).then((path) => path && set(index, path))}>
                Browse…
              </button>
            )}
          </span>
        </label>
      ))}
      {kind === 'export' && (
        <Check
          label="Include a copy of the data (can be large)"
          checked={includeData}
          onChange={setIncludeData}
          testId="project-include-data"
        />
      )}
      {kind === 'export' && (
        <Check
          label="Include a half-resolution copy of the data (1/8 of the size, to look at)"
          checked={preview}
          onChange={setPreview}
          testId="project-include-preview"
        />
      )}
      <RecentList title="Recent projects" paths={recent} onPick={(item) => submit([item])} testId="project-recent" />
      {problem && (
        <p className="message message-error" role="alert" data-testid="project-dialog-error">
          {problem}
        </p>
      )}
      <div className="modal-actions">
        <button type="button" className="ghost" onClick={onClose}>
          Cancel
        </button>
        <button
          type="submit"
          className="primary"
          disabled={creating || values.some((v) => !v.trim())}
          data-testid="project-dialog-submit"
        >
          {spec.action}
        </button>
      </div>
    </Modal>
  );
}
