/**
 * Holds the current session and renews it when Salesforce says it expired. Many downloads may
 * see the same expiry at once: the first one renews, the others share that renewal instead of
 * logging in again (the decision is taken synchronously, so two callers cannot both start one).
 * A caller renews at most once per request (see salesforce-client.ts), so a token that keeps
 * failing ends the request instead of looping.
 */
import type { Logger } from '@pipe/core';
import { SfdcError } from '../errors';
import type { AuthFlow, SalesforceSession } from './auth-flow';

export class SessionManager {
  /** The login under way or done; undefined before the first one and after a failed one. */
  private current: Promise<SalesforceSession> | undefined;
  /** The session `current` resolved to; undefined while a login is under way. */
  private latest: SalesforceSession | undefined;

  constructor(
    private readonly flow: AuthFlow,
    private readonly log: Logger,
  ) {}

  session(signal: AbortSignal): Promise<SalesforceSession> {
    this.current ??= this.startLogin(signal);
    return this.current;
  }

  /** A new session to replace `expired`; when someone already replaced it (or is doing so), that one. */
  renew(expired: SalesforceSession, signal: AbortSignal, why: string): Promise<SalesforceSession> {
    if (this.current && this.latest === undefined) return this.current;
    if (this.latest && this.latest.accessToken !== expired.accessToken) return Promise.resolve(this.latest);
    if (!this.flow.renewable) {
      return Promise.reject(
        new SfdcError(
          'SFDC_SESSION_EXPIRED',
          `the Salesforce session has expired or was logged out (${why}). A pasted session id cannot be renewed: log in again and paste a fresh one, or use auth type jwt for unattended runs.`,
        ),
      );
    }
    this.log.info(`Salesforce session expired (${why}); logging in again with the ${this.flow.name} flow`);
    this.current = this.startLogin(signal);
    return this.current;
  }

  private startLogin(signal: AbortSignal): Promise<SalesforceSession> {
    this.latest = undefined;
    const attempt: Promise<SalesforceSession> = this.flow.login(signal).then((session) => {
      if (this.current === attempt) this.latest = session;
      return session;
    });
    // A failed login is not kept: the next caller tries again.
    attempt.catch(() => {
      if (this.current === attempt) this.current = undefined;
    });
    return attempt;
  }
}
