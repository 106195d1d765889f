/**
 * @pipe/sink-anaplan: the `anaplan` sink and the `pipe auth login anaplan` flow. The local Anaplan
 * that `pipe emulate anaplan` and the tests use is its own package, @pipe/emulator-anaplan.
 */
import type { PipePackage } from '@pipe/core';
import { anaplanLogin } from './anaplan-login';
import { anaplanSink } from './anaplan-sink';

export { anaplanSink, createAnaplanSink, type AnaplanSinkOptions } from './anaplan-sink';
export { anaplanLogin } from './anaplan-login';
export { anaplanSinkSchema, type AnaplanSinkConfig, type AuthConfig, MAX_CHUNKS, MAX_CHUNK_BYTES, MAX_TOKEN_TTL_SECONDS } from './config';
export { CREDENTIAL_SERVICE, type SavedOAuthLogin } from './auth/oauth-device';
export { AnaplanError, AnaplanAuthError, AnaplanNameError, AnaplanLimitError, AnaplanChunkUploadError, AnaplanTaskFailedError } from './errors';

export const pipePackage: PipePackage = {
  plugins: [anaplanSink],
  logins: { anaplan: anaplanLogin },
};

export default pipePackage;
