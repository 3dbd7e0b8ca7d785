// Projects: one `.tomoseg` file holding volume references (found again on another machine by
// relative path, absolute path or fingerprint), labels, classes, models, results and history.
// Labels are painted through the segmentation methods; the open project saves them per stroke.
import { z } from 'zod';
import type { Dtype, VolumeInfo, Vec3 } from '../volume';

const path = z.string().min(1);

export const projectArgs = {
  /** Creates a project file (".tomoseg" is appended when missing) and opens it; `volumeIds` are open volumes to adopt, labels included. */
  newProject: z.object({
    path,
    name: z.string().trim().min(1).max(200).optional(),
    volumeIds: z.array(z.string().min(1)).default([]),
  }),
  /** Opens a project and its volumes; volumes not found are listed as missing (relink them). */
  openProject: z.object({ path }),
  /** Makes sure everything is on disk in the one file (labels are already saved per stroke). */
  saveProject: z.object({}),
  /** Writes a copy (paths re-based on its folder) and continues in the copy; also how a read-only project keeps its changes. */
  saveProjectAs: z.object({ path }),
  closeProject: z.object({}),
  recentProjects: z.object({}),
  /** The open project, or null. */
  projectState: z.object({}),
  /** Adds an open volume (by the id `openVolume` gave) to the project, with the labels painted on it so far. */
  addProjectVolume: z.object({ volumeId: z.string().min(1) }),
  /**
   * Points a project volume at another file. Refused when its shape differs; when its sampled
   * content differs it is refused with a warning unless `acceptDifferentContent`.
   */
  relinkVolume: z.object({
    projectVolumeId: z.string().min(1),
    path,
    acceptDifferentContent: z.boolean().default(false),
  }),
  /**
   * Writes a bundle folder with the project and, optionally, copies of its volumes and/or
   * half-resolution copies (`preview`: mean of 2×2×2 voxels, OME-Zarr, 1/8 of the size): a job.
   */
  exportBundle: z.object({ path, includeData: z.boolean().default(false), preview: z.boolean().default(false) }),
  /** Copies a bundle folder into `destFolder` and opens its project: a job. */
  importBundle: z.object({ bundlePath: path, destFolder: path }),
};

export interface ProjectVolumeState {
  /** The project's id for this volume (stable across machines). */
  id: string;
  name: string;
  /** As recorded: relative to the project's folder ('/' separators), and absolute on the machine that recorded it. */
  relativePath: string;
  absolutePath: string;
  shape: Vec3;
  dtype: Dtype;
  /**
   * found: fingerprint matches; content-differs: same shape, the sampled data differ (warn);
   * missing: relink it; closed: the user closed it (opening the file again brings its labels back).
   */
  status: 'found' | 'content-differs' | 'missing' | 'closed';
  foundBy: 'relative' | 'absolute' | 'search' | 'relink' | 'added' | 'reopened' | null;
  /** The open volume (its id is what readSlice and the segmentation methods take); null when missing or closed. */
  volume: VolumeInfo | null;
  labelledVoxels: number;
}

export interface ProjectState {
  path: string;
  name: string;
  readOnly: boolean;
  /** Something the user should read: why it is read-only, an upgrade backup, volumes to relink. */
  notices: string[];
  volumes: ProjectVolumeState[];
  models: { id: string; name: string; volumeId: string | null; labelsVersion: number | null; createdAt: string }[];
  results: { id: string; name: string; kind: string; volumeId: string | null; createdAt: string }[];
  /** Latest actions, oldest first. */
  history: { at: string; action: string; detail: Record<string, unknown> }[];
}

export interface ProjectResults {
  newProject: ProjectState;
  openProject: ProjectState;
  saveProject: ProjectState;
  saveProjectAs: ProjectState;
  closeProject: boolean;
  recentProjects: string[];
  projectState: ProjectState | null;
  addProjectVolume: ProjectState;
  relinkVolume: ProjectState;
  exportBundle: { jobId: string };
  importBundle: { jobId: string };
}
