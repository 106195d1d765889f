/** Picks the token issuer the `auth:` block asks for, reading saved secrets when the config has none. */
import type { CredentialStore, CredentialUrlGuard, PluginContext } from '@pipe/core';
import type { AnaplanSinkConfig } from '../config';
import { AnaplanAuthError } from '../errors';
import type { AnaplanTransport } from '../http/transport';
import { basicIssuer } from './basic';
import { certificateIssuer } from './certificate';
import { CREDENTIAL_SERVICE, oauthIssuer } from './oauth-device';
import type { TokenIssuer } from './token-provider';

export async function issuerForConfig(
  config: AnaplanSinkConfig,
  ctx: PluginContext,
  transport: AnaplanTransport,
  credentials: () => CredentialStore,
  /** Checks a login host that does not come from the config (a saved login's). */
  urls: CredentialUrlGuard,
): Promise<TokenIssuer> {
  const auth = config.auth;
  switch (auth.type) {
    case 'basic': {
      let password = auth.password;
      if (password === undefined) {
        const store = credentials();
        const saved = await store.get(CREDENTIAL_SERVICE, auth.username);
        password = saved?.kind === 'basic' ? saved.password : undefined;
        if (!password) {
          throw new AnaplanAuthError(
            `no password for ${auth.username}: set auth.password (e.g. "\${ANAPLAN_PASSWORD}") or save it with \`pipe auth login anaplan -o username=${auth.username} -o password=...\``,
            { exitCode: 2 },
          );
        }
      }
      return basicIssuer({ username: auth.username, password, authUrl: config.authUrl }, transport, ctx.secrets);
    }
    case 'certificate':
      return certificateIssuer(
        {
          certificatePath: ctx.resolvePath(auth.certificate),
          privateKeyPath: ctx.resolvePath(auth.privateKey),
          passphrase: auth.passphrase,
          authUrl: config.authUrl,
        },
        transport,
        ctx.secrets,
      );
    case 'oauth':
      return oauthIssuer(
        {
          oauthUrl: config.oauthUrl,
          store: credentials(),
          account: auth.account,
          clientId: auth.clientId,
          refreshToken: auth.refreshToken,
          urls,
        },
        transport,
        ctx.secrets,
        ctx.log,
      );
  }
}

/** Who the run acts as, for cache keys and log lines (never a secret). */
export function identityOf(config: AnaplanSinkConfig): string {
  const auth = config.auth;
  switch (auth.type) {
    case 'basic':
      return `basic:${auth.username}`;
    case 'certificate':
      return `certificate:${auth.certificate}`;
    case 'oauth':
      return `oauth:${auth.account ?? auth.clientId ?? 'saved'}`;
  }
}
