/**
 * Credentials travel only over TLS. A URL that a plugin sends a password, a signed assertion or a
 * token to must be https, except on a loopback host (127.0.0.0/8, ::1, localhost): the local
 * emulators listen there and nothing leaves the machine.
 *
 * A plugin names its credential URLs once: `credentialUrlProblems` reports plain http at the key
 * from its `checkConfig` (so `pipe validate` catches it), and a `CredentialUrlGuard` applies the
 * same rule at run time, also to URLs that do not come from the config (a token response, a saved
 * login). The `allowInsecureHttp` flag waives the rule, and every run that relies on it warns.
 */
import { ExitCode, PipeError } from '../errors';
import type { Logger } from '../plugin/context';
import type { ConfigProblem } from '../plugin/contract';
import { JsonType } from '../schema/json-type';

/** The config flag that lets plain http through; one definition, so every plugin spells it alike. */
export const AllowInsecureHttp = JsonType.Boolean({
  default: false,
  description:
    'Allow plain http:// URLs to hosts other than this machine. Passwords, keys and tokens then travel unencrypted: only for a network you trust. Every run that uses a plain http URL warns.',
});

/** How a URL would carry credentials. */
export type CredentialTransport =
  /** https. */
  | { readonly kind: 'tls' }
  /** Plain http to this machine. */
  | { readonly kind: 'loopback'; readonly origin: string }
  /** Plain http to another host: readable by anyone on the way. */
  | { readonly kind: 'cleartext'; readonly origin: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/** 127.0.0.0/8, ::1 and `localhost`, as `URL.hostname` spells them (IPv4 normalised, IPv6 in brackets). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function credentialTransport(url: string): CredentialTransport {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'invalid', reason: 'is not an absolute URL; write it as https://host/...' };
  }
  if (parsed.protocol === 'https:') return { kind: 'tls' };
  if (parsed.protocol !== 'http:') return { kind: 'invalid', reason: `must be an https:// URL, not ${parsed.protocol}` };
  // The origin only: a path or query might carry a token, and user info a password.
  return isLoopbackHost(parsed.hostname) ? { kind: 'loopback', origin: parsed.origin } : { kind: 'cleartext', origin: parsed.origin };
}

const ALLOW_IN_CONFIG = 'set allowInsecureHttp: true if the network is trusted';

function cleartextMessage(origin: string, howToAllow: string | undefined): string {
  return `plain http would send credentials unencrypted to ${origin}; use https://${howToAllow ? `, or ${howToAllow}` : ''}`;
}

/** A credential URL of a plugin's config: its key path inside `with:` and its value (absent: nothing to check). */
export interface CredentialUrl {
  readonly path: readonly (string | number)[];
  readonly url: string | undefined;
}

/** What a plugin's `checkConfig` reports about its credential URLs. */
export function credentialUrlProblems(urls: readonly CredentialUrl[], allowInsecureHttp: boolean): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const { path, url } of urls) {
    if (url === undefined) continue;
    const transport = credentialTransport(url);
    if (transport.kind === 'invalid') problems.push({ path, message: transport.reason });
    else if (transport.kind === 'cleartext' && !allowInsecureHttp) problems.push({ path, message: cleartextMessage(transport.origin, ALLOW_IN_CONFIG) });
  }
  return problems;
}

/** A URL credentials must not go to. Exit 2: the fix is in the configuration (or the saved login). */
export class InsecureUrlError extends PipeError {
  constructor(message: string) {
    super(message, { code: 'INSECURE_URL', exitCode: ExitCode.Usage });
  }
}

export interface CredentialUrlGuardOptions {
  /** The plugin's `allowInsecureHttp`. */
  readonly allowInsecureHttp: boolean;
  /** Where the warning goes when `allowInsecureHttp` lets plain http through. */
  readonly log?: Logger;
  /** How to waive the rule, for the error; default: the config's `allowInsecureHttp`. Empty: it cannot be waived. */
  readonly howToAllow?: string;
}

/** The rule at run time: check each URL before anything secret is sent to it. */
export class CredentialUrlGuard {
  private readonly warned = new Set<string>();

  constructor(private readonly options: CredentialUrlGuardOptions) {}

  /**
   * Returns `url` when credentials may go there; throws InsecureUrlError when not. `what` names
   * where the URL came from (`apiUrl`, `the token response's instance_url`).
   */
  check(url: string, what: string): string {
    const transport = credentialTransport(url);
    if (transport.kind === 'tls') return url;
    if (transport.kind === 'invalid') throw new InsecureUrlError(`${what} ${transport.reason}`);
    if (this.options.allowInsecureHttp) {
      if (!this.warned.has(transport.origin)) {
        this.warned.add(transport.origin);
        this.options.log?.warn(`allowInsecureHttp: ${what} is plain http; credentials and tokens go to ${transport.origin} unencrypted`);
      }
      return url;
    }
    if (transport.kind === 'loopback') return url;
    throw new InsecureUrlError(`${what}: ${cleartextMessage(transport.origin, this.options.howToAllow ?? ALLOW_IN_CONFIG)}`);
  }
}
