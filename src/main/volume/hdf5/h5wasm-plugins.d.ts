// The part of h5wasm-plugins we use (the package ships no types).
declare module 'h5wasm-plugins' {
  /** Adds the package's plugin folder to the library's plugin search path. */
  export function install_local_plugins(module: unknown): void;
  export function list_plugins(module: unknown): string[];
  export const plugin_names: string[];
  /** The package's folder as a file URL. */
  export const base_url: string;
}
