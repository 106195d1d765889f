/**
 * @pipe/sink-anaplan: the `anaplan` sink, the `pipe auth login anaplan` flow, and a local Anaplan
 * emulator (`pipe emulate anaplan`, and the package's tests). The emulator is its own entry point,
 * `@pipe/sink-anaplan/dist/emulator`, so that a pipeline run never loads it.
 */
import type { PipePackage } from '@pipe/core';
import { anaplanEmulatorProvider } from './anaplan-emulator-provider';
import { anaplanLogin } from './anaplan-login';
import { anaplanSink } from './anaplan-sink';

export { anaplanSink, createAnaplanSink, type AnaplanSinkOptions } from './anaplan-sink';
export { anaplanLogin } from './anaplan-login';
export { anaplanEmulatorProvider } from './anaplan-emulator-provider';
export { anaplanSinkSchema, type AnaplanSinkConfig, type AuthConfig, MAX_CHUNKS, MAX_CHUNK_BYTES, MAX_TOKEN_TTL_SECONDS } from './config';
export { CREDENTIAL_SERVICE, type SavedOAuthLogin } from './auth/oauth-device';
export {
  AnaplanError,
  AnaplanAuthError,
  AnaplanNameError,
  AnaplanLimitError,
  AnaplanChunkUploadError,
  AnaplanTaskFailedError,
} from './errors';

export const pipePackage: PipePackage = {
  plugins: [anaplanSink],
  logins: { anaplan: anaplanLogin },
  emulators: { anaplan: anaplanEmulatorProvider },
};

export default pipePackage;
