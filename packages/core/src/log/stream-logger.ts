/**
 * A Logger that writes one line per entry to a stream, at or above a level, with every registered
 * secret redacted by the logger itself (call sites never have to remember).
 */
import type { LogFields, Logger, SecretRegistry } from '../plugin/context';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface StreamLoggerOptions {
  readonly level?: LogLevel;
  readonly secrets?: SecretRegistry;
  readonly write?: (line: string) => void;
  readonly fields?: LogFields;
}

export class StreamLogger implements Logger {
  private readonly level: LogLevel;
  private readonly write: (line: string) => void;

  constructor(private readonly options: StreamLoggerOptions = {}) {
    this.level = options.level ?? 'warn';
    this.write = options.write ?? ((line) => process.stderr.write(line));
  }

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  child(fields: LogFields): Logger {
    return new StreamLogger({ ...this.options, fields: { ...this.options.fields, ...fields } });
  }

  private log(level: LogLevel, message: string, fields?: LogFields): void {
    if (RANK[level] < RANK[this.level]) return;
    const all = { ...this.options.fields, ...fields };
    const context = Object.entries(all)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const line = `${new Date().toISOString()} ${level.toUpperCase()} ${message}${context ? ` ${context}` : ''}\n`;
    this.write(this.options.secrets ? this.options.secrets.redact(line) : line);
  }
}
