import { sleep } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import type { AuthFlow, SalesforceSession } from '../src/auth/auth-flow';
import { SessionManager } from '../src/auth/session-manager';

function countingFlow(renewable = true): AuthFlow & { logins: number } {
  const flow = {
    name: 'test',
    renewable,
    logins: 0,
    async login(): Promise<SalesforceSession> {
      flow.logins += 1;
      await sleep(5);
      return { accessToken: `token-${flow.logins}`, instanceUrl: 'https://x' };
    },
  };
  return flow;
}

const signal = new AbortController().signal;

test('many callers seeing the same expiry share one renewal', async () => {
  const flow = countingFlow();
  const sessions = new SessionManager(flow, testing.createTestContext().log);
  const first = await sessions.session(signal);
  const renewed = await Promise.all(Array.from({ length: 5 }, () => sessions.renew(first, signal, 'expired')));
  expect(new Set(renewed.map((s) => s.accessToken))).toEqual(new Set(['token-2']));
  expect(flow.logins).toBe(2);
  // A late caller with the old token gets the new one without another login.
  expect((await sessions.renew(first, signal, 'expired')).accessToken).toBe('token-2');
  expect(flow.logins).toBe(2);
});

test('a pasted session cannot be renewed: a clear error instead', async () => {
  const sessions = new SessionManager(countingFlow(false), testing.createTestContext().log);
  const first = await sessions.session(signal);
  await expect(sessions.renew(first, signal, 'INVALID_SESSION_ID')).rejects.toThrow(/cannot be renewed/);
});
