/** `pipe emulate anaplan`: the package's emulator, started on a chosen port, described for the user. */
import type { EmulatorProvider } from '@pipe/core';

export const anaplanEmulatorProvider: EmulatorProvider = {
  summary: 'A local Anaplan: auth service, OAuth device grant and the Integration API bulk calls on one port.',
  async start(options) {
    // Loaded here, not with the package: `pipe run` lists this package's emulators, never runs them.
    const { DEFAULT_FILE_ID, DEFAULT_IMPORT_ID, DEFAULT_MODEL_ID, DEFAULT_OAUTH_CLIENTS, DEFAULT_USERS, DEFAULT_WORKSPACE_ID, startAnaplanEmulator } =
      await import('./index');
    const emulator = await startAnaplanEmulator({ port: options.port ?? 0, host: options.host });
    const user = DEFAULT_USERS[0];
    const client = DEFAULT_OAUTH_CLIENTS[0];
    return {
      url: emulator.url,
      describe: () => [
        `Anaplan emulator on ${emulator.url}`,
        `  sink config: apiUrl: ${emulator.apiUrl}  authUrl: ${emulator.authUrl}  oauthUrl: ${emulator.oauthUrl}`,
        `  workspace ${DEFAULT_WORKSPACE_ID}, model ${DEFAULT_MODEL_ID}, file ${DEFAULT_FILE_ID}, import ${DEFAULT_IMPORT_ID}`,
        `  basic login: ${user.username} / ${user.password} (a demo password, not a secret)`,
        `  OAuth device client: ${client.clientId}${client.rotatable ? ' (rotatable refresh tokens)' : ''}`,
        `  control: ${emulator.url}/__emulator/stats, /__emulator/requests, /__emulator/faults, /__emulator/link`,
      ],
      stop: () => emulator.stop(),
    };
  },
};
