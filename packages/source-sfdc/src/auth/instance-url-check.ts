/**
 * The org URL a session is used at comes from the token response (`instance_url`), a saved login
 * or the config; the token goes to it with every call. Checked once per login, before any call.
 */
import type { CredentialUrlGuard } from '@pipe/core';
import type { AuthFlow } from './auth-flow';

export function withInstanceUrlCheck(flow: AuthFlow, urls: CredentialUrlGuard): AuthFlow {
  return {
    name: flow.name,
    renewable: flow.renewable,
    async login(signal) {
      const session = await flow.login(signal);
      urls.check(session.instanceUrl, `the org URL (instance_url) of the ${flow.name} login`);
      return session;
    },
  };
}
