/** The plugins that ship with core. */
import type { Plugin } from '../plugin/contract';
import { chunkLines } from './chunk-lines';
import { dirSink } from './dir-sink';
import { fileSink } from './file-sink';
import { fileSource } from './file-source';

export const builtinPlugins: readonly Plugin[] = [fileSource, chunkLines, fileSink, dirSink];
export { chunkLines, dirSink, fileSink, fileSource };
