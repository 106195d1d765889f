/**
 * The run's logger, built on pino: a rotating log file (default 3 files of 1,000,000 bytes, at
 * debug) and the console (stderr, at warn), both levels configurable. Every line carries the run
 * id, and the pipeline and plugin of whoever logged it. Secrets are redacted by the logger itself:
 * registered secret values anywhere in a line, and values under secret-looking keys.
 */
import { Writable } from 'node:stream';
import type pino from 'pino';
import type { LogFields, Logger, SecretRegistry } from '../plugin/context';
import { REDACTED } from './redactor';
import { listLogFiles, RotatingFile } from './rotating-file';
import type { LogLevel } from './stream-logger';

export interface RunLoggerOptions {
  readonly runId: string;
  readonly secrets: SecretRegistry;
  /** Path of the log file without its number, e.g. `.pipe/logs/pipe`; files are `pipe.1.log`, `pipe.2.log`, ... */
  readonly file?: string;
  readonly fileLevel?: LogLevel;
  readonly consoleLevel?: LogLevel;
  readonly maxBytes?: number;
  readonly maxFiles?: number;
  /** Where console lines go (default: stderr). */
  readonly console?: (line: string) => void;
}

export interface RunLogger extends Logger {
  /** Flush and close the log file. */
  close(): Promise<void>;
  /** The log files, newest last. */
  files(): string[];
}

const SECRET_KEYS = ['password', 'passphrase', 'token', 'accessToken', 'refreshToken', 'authorization', 'sessionId', 'clientSecret', 'privateKey', 'secret'];

class PinoAdapter implements Logger {
  constructor(protected readonly pino: pino.Logger) {}
  debug(message: string, fields?: LogFields): void {
    this.pino.debug(fields ?? {}, message);
  }
  info(message: string, fields?: LogFields): void {
    this.pino.info(fields ?? {}, message);
  }
  warn(message: string, fields?: LogFields): void {
    this.pino.warn(fields ?? {}, message);
  }
  error(message: string, fields?: LogFields): void {
    this.pino.error(fields ?? {}, message);
  }
  child(fields: LogFields): Logger {
    return new PinoAdapter(this.pino.child(fields));
  }
}

/** Renders pino's JSON lines as one readable line each for the console. */
function consoleStream(write: (line: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const raw of chunk.toString('utf8').split('\n')) {
        if (!raw) continue;
        const { time, level, msg, runId: _runId, pipeline, plugin, ...rest } = JSON.parse(raw) as Record<string, unknown>;
        const where = [pipeline, plugin].filter(Boolean).join('/');
        const extra = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        write(`${String(time)} ${String(level).toUpperCase()}${where ? ` [${where}]` : ''} ${String(msg)}${extra ? ` ${extra}` : ''}\n`);
      }
      done();
    },
  });
}

export async function createRunLogger(options: RunLoggerOptions): Promise<RunLogger> {
  const consoleLevel = options.consoleLevel ?? 'warn';
  const fileLevel = options.fileLevel ?? 'debug';
  const streams: pino.StreamEntry[] = [];
  if (consoleLevel !== 'silent') {
    streams.push({ level: consoleLevel, stream: consoleStream(options.console ?? ((line) => process.stderr.write(line))) });
  }
  let file: RotatingFile | undefined;
  if (options.file && fileLevel !== 'silent') {
    file = new RotatingFile({ base: options.file, maxBytes: options.maxBytes ?? 1_000_000, maxFiles: options.maxFiles ?? 3 });
    streams.push({ level: fileLevel, stream: file });
  }
  const levels = [consoleLevel, fileLevel].filter((l) => l !== 'silent' && (l !== fileLevel || file));
  const rank: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const lowest = (levels.sort((a, b) => rank.indexOf(a) - rank.indexOf(b))[0] ?? 'silent') as pino.LevelWithSilent;
  const secrets = options.secrets;
  // Loaded here, not at the top: the engine's module graph reaches this file, and `pipe validate` logs nothing.
  const { default: createPino } = await import('pino');
  const logger = createPino(
    {
      level: lowest,
      base: { runId: options.runId },
      timestamp: createPino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: SECRET_KEYS.flatMap((k) => [k, `*.${k}`]), censor: REDACTED },
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a: unknown) =>
            typeof a === 'string' ? secrets.redact(a) : a && typeof a === 'object' ? (JSON.parse(secrets.redact(JSON.stringify(a))) as unknown) : a,
          );
          method.apply(this, clean as Parameters<typeof method>);
        },
      },
    },
    createPino.multistream(streams, { dedupe: false }),
  );
  const adapter = new PinoAdapter(logger) as PinoAdapter & RunLogger;
  adapter.close = async () => file?.close();
  adapter.files = () => (options.file ? listLogFiles(options.file) : []);
  return adapter;
}
