/**
 * Finds and reads a pipeline file with cosmiconfig: an explicit path (`pipe run nightly.yml`), or
 * the usual places from the working directory (`pipe.yml`, `.piperc.yaml`, the `pipe` key of
 * package.json, ...). YAML (and JSON, a subset) is parsed with positions kept for error messages.
 * The loader reads the file's bytes itself: cosmiconfig hands it text already decoded with
 * replacement characters, which would hide bytes that are not UTF-8.
 *
 * A named YAML or JSON file is read without cosmiconfig, which is loaded only to search or for
 * what only it handles (package.json, other extensions, `$import`): loading it and its
 * dependencies would cost every `pipe validate FILE` and `pipe run FILE` a few dozen modules.
 */
import { basename, extname, resolve } from 'node:path';
import type { Loader } from 'cosmiconfig';
import { PipeError, ExitCode } from '../errors';
import { ConfigError } from './config-error';
import { checkPipelineFileSize, decodePipelineText, readPipelineText } from './pipeline-file-text';
import { YamlSource } from './yaml-source';

export const SEARCH_PLACES = [
  'pipe.yml',
  'pipe.yaml',
  '.piperc',
  '.piperc.yml',
  '.piperc.yaml',
  '.piperc.json',
  '.config/piperc',
  '.config/piperc.yml',
  '.config/piperc.yaml',
  'pipe.config.yml',
  'pipe.config.yaml',
  'package.json',
];

/** The extensions pipe reads as YAML (`''`: none, as `.piperc`). */
const YAML_EXTENSIONS = new Set(['.yml', '.yaml', '.json', '']);

export interface LoadedPipelineFile {
  readonly file: string;
  readonly source: YamlSource;
  readonly data: unknown;
}

export async function loadPipelineFile(options: { file?: string; cwd: string }): Promise<LoadedPipelineFile> {
  let loaded: LoadedPipelineFile | 'empty';
  try {
    // Before anything reads a named file whole.
    if (options.file) checkPipelineFileSize(options.file);
    loaded = (options.file ? readNamedFile(resolve(options.file)) : undefined) ?? (await loadWithCosmiconfig(options));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PipeError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PipeError(`pipeline file not found: ${options.file}`, { code: 'FILE_NOT_FOUND', exitCode: ExitCode.Usage });
    }
    throw new PipeError(`cannot read pipeline file ${options.file ?? ''}: ${(error as Error).message}`, { exitCode: ExitCode.Usage, cause: error });
  }
  if (loaded === 'empty') {
    const where = options.file ?? `${options.cwd} (looked for ${SEARCH_PLACES.join(', ')})`;
    throw new PipeError(`no pipeline found in ${where}; pass a file: pipe run nightly.yml`, { code: 'NO_PIPELINE_FILE', exitCode: ExitCode.Usage });
  }
  return loaded;
}

/**
 * What cosmiconfig's `load(file)` gives for a YAML or JSON file other than package.json (`empty`
 * for a file holding nothing), or undefined when the file needs cosmiconfig (another extension,
 * package.json, an `$import` key).
 */
function readNamedFile(file: string): LoadedPipelineFile | 'empty' | undefined {
  const extension = extname(file);
  if (!YAML_EXTENSIONS.has(extension) || basename(file, extension) === 'package') return undefined;
  const text = readPipelineText(file);
  if (text.trim() === '') return 'empty';
  const { source, issues } = YamlSource.parse(file, text);
  if (issues.length) throw new ConfigError(issues);
  const data = source.data();
  if (data === undefined || data === null) return 'empty';
  if (typeof data === 'object' && Object.hasOwn(data, '$import')) return undefined;
  return { file, source, data };
}

async function loadWithCosmiconfig(options: { file?: string; cwd: string }): Promise<LoadedPipelineFile | 'empty'> {
  const sources = new Map<string, YamlSource>();
  const yamlLoader: Loader = (filepath) => {
    const prefix = basename(filepath) === 'package.json' ? ['pipe'] : [];
    const { source, issues } = YamlSource.parse(filepath, readPipelineText(filepath), prefix);
    if (issues.length) throw new ConfigError(issues);
    sources.set(filepath, source);
    return source.data();
  };
  const { cosmiconfig } = await import('cosmiconfig');
  const explorer = cosmiconfig('pipe', {
    searchPlaces: SEARCH_PLACES,
    loaders: { '.yml': yamlLoader, '.yaml': yamlLoader, '.json': yamlLoader, noExt: yamlLoader },
    cache: false,
  });
  const result = options.file ? await explorer.load(options.file) : await explorer.search(options.cwd);
  if (!result || result.isEmpty) return 'empty';
  const source = sources.get(result.filepath);
  if (!source) throw new PipeError(`${result.filepath}: unsupported pipeline file type; use YAML or JSON`, { exitCode: ExitCode.Usage });
  return { file: result.filepath, source, data: result.config };
}

/**
 * A pipeline file from text read elsewhere (a queued job carries the file's text), as if read from
 * `file`: paths, `.env` and messages are those of `file`, which need not exist here.
 */
export function pipelineFileFromText(file: string, text: string): LoadedPipelineFile {
  const decoded = decodePipelineText(file, Buffer.from(text, 'utf8'));
  if ('issue' in decoded) throw new ConfigError([decoded.issue]);
  const prefix = basename(file) === 'package.json' ? ['pipe'] : [];
  const { source, issues } = YamlSource.parse(file, decoded.text, prefix);
  if (issues.length) throw new ConfigError(issues);
  const whole = source.data();
  const data = prefix.length ? (whole as Record<string, unknown> | null)?.pipe : whole;
  if (data === undefined || data === null) throw new PipeError(`no pipeline found in ${file}`, { code: 'NO_PIPELINE_FILE', exitCode: ExitCode.Usage });
  return { file, source, data };
}
