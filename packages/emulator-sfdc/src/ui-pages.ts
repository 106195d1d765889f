/**
 * The few classic-UI pages a report export client meets: the login page (where an invalid sid
 * lands), the home page (which the seed probes to test a sid), and frontdoor.jsp, which turns an
 * access token into a UI session cookie (sfdc.md (a), H-FD).
 */
import { htmlPage, parseCookies, sendHtml, sendRedirect, type Exchange } from './http-io';
import type { Session } from './sessions';
import type { EmulatorState } from './state';

export const LOGIN_PAGE_TITLE = 'Login | Salesforce';

export function loginPage(): string {
  return htmlPage(
    LOGIN_PAGE_TITLE,
    '<form id="login_form" name="login" method="post" action="/"><input type="email" id="username" name="username">' +
      '<input type="password" id="password" name="pw"><input type="submit" id="Login" value="Log In"></form>',
  );
}

/** Where the UI sends a request without a valid session: the login page, remembering the target. */
export function loginRedirectUrl(state: EmulatorState, ex: Exchange): string {
  return `${state.baseUrl}/?ec=302&startURL=${encodeURIComponent(ex.url.pathname + ex.url.search)}`;
}

/** The session named by the sid cookie, if it may use the UI. */
export function uiSession(state: EmulatorState, ex: Exchange): Session | undefined {
  const session = state.sessions.lookup(parseCookies(ex.req.headers.cookie).get('sid'));
  if (session === undefined) return undefined;
  if (session.kind === 'api' && !state.exportAcceptsApiSessions) return undefined;
  return session;
}

/** A sid cookie for the emulator's host; no Secure flag because the emulator speaks plain HTTP. */
function sidCookie(sessionId: string): string {
  return `sid=${sessionId}; Path=/; HttpOnly; SameSite=None`;
}

/** GET / : home page with a valid sid (Cache-Control: private, what the seed probes), else the login page. */
export function handleRoot(state: EmulatorState, ex: Exchange): void {
  const session = uiSession(state, ex);
  if (session === undefined) return sendHtml(ex, 200, loginPage());
  sendHtml(ex, 200, htmlPage('Home | Salesforce', `<p>Welcome, ${session.username}</p>`), { 'cache-control': 'private' });
}

/** GET /secur/frontdoor.jsp?sid={access token}&retURL=/path : sets a UI session cookie and redirects. */
export function handleFrontdoor(state: EmulatorState, ex: Exchange): void {
  const token = state.sessions.lookup(ex.url.searchParams.get('sid') ?? undefined);
  if (token === undefined) return sendRedirect(ex, `${state.baseUrl}/?ec=302`);
  const session = state.sessions.issue(token.username, 'ui', token.clientId);
  const retUrl = ex.url.searchParams.get('retURL') ?? '/';
  // Only same-site paths: an open redirect would let tests pass against a behaviour Salesforce forbids.
  const target = retUrl.startsWith('/') && !retUrl.startsWith('//') ? retUrl : '/';
  sendRedirect(ex, `${state.baseUrl}${target}`, { 'set-cookie': sidCookie(session.id) });
}

export function handleUnknownPage(ex: Exchange): void {
  sendHtml(ex, 404, htmlPage('URL No Longer Exists', '<p>You have attempted to reach a URL that no longer exists on salesforce.com.</p>'));
}
