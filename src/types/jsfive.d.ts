/** The part of jsfive (a pure-JavaScript HDF5 reader, https://github.com/usnistgov/jsfive) initlint uses. */
declare module 'jsfive' {
  export class File {
    constructor(buffer: ArrayBuffer, filename: string);
    /** The root group's attributes: strings, numbers, arrays. */
    readonly attrs: Record<string, unknown>;
  }
}
