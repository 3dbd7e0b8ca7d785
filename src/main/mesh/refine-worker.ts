// A worker thread refining parts of a large surface, or whole surfaces (pieces.ts): the band
// arrives in shared memory, the parts and the refined meshes are transferred.
import { answerRequests } from '../worker-pool';
import { BandField, type SharedBand } from './band';
import { type RefineOptions, refineSurface } from './refine';
import type { TriMesh } from './trimesh';

export interface RefineWork {
  band: SharedBand;
  /** Each part with its fixed vertices (1), which must come first; none: refined whole. */
  parts: { mesh: TriMesh; fixed?: Uint8Array }[];
  options: Omit<RefineOptions, 'fixed' | 'signal' | 'onIteration'>;
}

export interface RefineReply {
  meshes: TriMesh[];
}

answerRequests(({ band, parts, options }: RefineWork) => {
  const field = BandField.fromShared(band);
  const meshes = parts.map(({ mesh, fixed }) => refineSurface(mesh, field, { ...options, fixed }).mesh);
  const reply: RefineReply = { meshes };
  return { reply, transfer: meshes.flatMap((mesh) => [mesh.positions.buffer, mesh.triangles.buffer]) as ArrayBuffer[] };
});
