/**
 * An existing session id, pasted by the user (what SSO-only orgs give people). It cannot be
 * renewed; the source checks it once up front (see session-check.ts) and says so when it dies.
 */
import type { AuthFlow, SalesforceSession } from './auth-flow';

export class ExistingSessionFlow implements AuthFlow {
  readonly name = 'session';
  readonly renewable = false;

  constructor(private readonly session: SalesforceSession) {}

  async login(): Promise<SalesforceSession> {
    return this.session;
  }
}
