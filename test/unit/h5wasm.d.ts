/** The part of h5wasm (HDF5 as WebAssembly, a devDependency) the tests use to write .h5 files. */
declare module 'h5wasm/node' {
  interface Group {
    create_attribute(name: string, data: string | number): void;
    create_group(name: string): Group;
    create_dataset(o: { name: string; data: Float32Array; shape: number[] }): unknown;
  }
  interface File extends Group {
    close(): void;
  }
  const h5wasm: { ready: Promise<unknown>; File: new (path: string, mode: 'r' | 'w') => File };
  export default h5wasm;
}
