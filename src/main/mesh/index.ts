// Surface meshes from probability maps or labels: extraction, refinement, measurements, export.
export { meshFromVolume, type MeshOptions, type MeshObject, type MeshResult } from './mesh-volume';
export { writeMesh, writeMeasurements, measurementsCsv, formatOf, MESH_FORMATS, type MeshFormat } from './export';
export { measure, splitComponents, type TriMesh, type Measurements } from './trimesh';
export { topology, minAngle, selfIntersections, type Topology } from './quality';
