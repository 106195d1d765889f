/** Login flows and emulators offered by the installed plugin packages, by name. */
import type { EmulatorProvider, LoginProvider } from '@pipe/core';
import { PipeError, ExitCode } from '@pipe/core/errors';
import { catalogFor } from './load-project';

async function offered<T>(
  pick: (pkg: {
    logins?: Readonly<Record<string, LoginProvider>>;
    emulators?: Readonly<Record<string, EmulatorProvider>>;
  }) => Readonly<Record<string, T>> | undefined,
) {
  const found = new Map<string, T>();
  for (const { pkg } of await catalogFor(process.cwd()).packages()) for (const [name, value] of Object.entries(pick(pkg) ?? {})) found.set(name, value);
  return found;
}

export async function findLogin(name: string): Promise<LoginProvider> {
  const logins = await offered((p) => p.logins);
  const login = logins.get(name);
  if (!login) throw new PipeError(`no login flow named "${name}"; available: ${[...logins.keys()].join(', ') || '(none)'}`, { exitCode: ExitCode.Usage });
  return login;
}

export async function findEmulator(name: string): Promise<EmulatorProvider> {
  const emulators = await offered((p) => p.emulators);
  const emulator = emulators.get(name);
  if (!emulator) throw new PipeError(`no emulator named "${name}"; available: ${[...emulators.keys()].join(', ') || '(none)'}`, { exitCode: ExitCode.Usage });
  return emulator;
}
