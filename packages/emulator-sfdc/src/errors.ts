/**
 * Error bodies exactly as Salesforce sends them. REST errors are a JSON array of
 * {message, errorCode}; the OAuth endpoints answer a flat {error, error_description}.
 * Message texts come from sfdc.md where it quotes them, otherwise they are the commonly reported
 * ones (noted per constant).
 */

export interface RestErrorItem {
  readonly message: string;
  readonly errorCode: string;
  readonly fields?: readonly string[];
}

/** 401 for a missing, unknown or expired session (sfdc.md (c)). */
export const INVALID_SESSION: RestErrorItem = {
  message: 'Session expired or invalid',
  errorCode: 'INVALID_SESSION_ID',
};

/** 401 for a valid session that may not call REST, e.g. a UI session (sfdc.md (b), nango#4344). */
export const SESSION_NOT_VALID_FOR_REST: RestErrorItem = {
  message: 'This session is not valid for use with the REST API',
  errorCode: 'INVALID_SESSION_ID',
};

/** 403 once the org's API allocation is used up (sfdc.md (c), REST-ERR). */
export const REQUEST_LIMIT_EXCEEDED: RestErrorItem = {
  message: 'TotalRequests Limit exceeded.',
  errorCode: 'REQUEST_LIMIT_EXCEEDED',
};

export const NOT_FOUND: RestErrorItem = {
  errorCode: 'NOT_FOUND',
  message: 'The requested resource does not exist',
};

/** 403 for a report the user may not run (message text is a Guess). */
export const INSUFFICIENT_ACCESS: RestErrorItem = {
  errorCode: 'INSUFFICIENT_ACCESS',
  message: "You don't have sufficient privileges to perform this operation.",
};

/** 500 body; the real one carries a support error id. */
export function unknownException(errorId: string): RestErrorItem {
  return {
    errorCode: 'UNKNOWN_EXCEPTION',
    message: `An unexpected error occurred. Please include this ErrorId if you contact support: ${errorId}`,
  };
}

/** 503 body (errorCode as REST-ERR lists it; no Retry-After, per sfdc.md). */
export const SERVER_UNAVAILABLE: RestErrorItem = {
  errorCode: 'SERVER_UNAVAILABLE',
  message: 'Server temporarily unavailable. Please try again later.',
};

/** An OAuth endpoint failure: HTTP status plus the two fields Salesforce returns. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
  }
}

/** The OAuth errors the token endpoint answers, with the texts clients report seeing. */
export const oauthErrors = {
  mustPost: () => new OAuthError('invalid_request', 'must use HTTP POST'),
  unsupportedGrant: () => new OAuthError('unsupported_grant_type', 'grant type not supported'),
  unknownClient: () => new OAuthError('invalid_client_id', 'client identifier invalid'),
  badClientSecret: () => new OAuthError('invalid_client', 'invalid client credentials'),
  /** Wrong password or token, unknown user, and the blocked username-password flow (H-BLOCK). */
  authenticationFailure: () => new OAuthError('invalid_grant', 'authentication failure'),
  /** Bad signature, malformed JWT or an algorithm other than RS256 (frankkessler/...#68). */
  invalidAssertion: () => new OAuthError('invalid_grant', 'invalid assertion'),
  /** Unknown or not pre-authorised `sub` (restforce#674). */
  userNotApproved: () => new OAuthError('invalid_grant', "user hasn't approved this consumer"),
  /** Talend/components#1423. */
  audienceInvalid: () => new OAuthError('invalid_grant', 'audience is invalid'),
  /** What Salesforce answers for a JWT whose exp has passed, and for a reused or old code. */
  expiredAuthorizationCode: () => new OAuthError('invalid_grant', 'expired authorization code'),
  invalidAuthorizationCode: () => new OAuthError('invalid_grant', 'invalid authorization code'),
  invalidCodeVerifier: () => new OAuthError('invalid_grant', 'invalid code verifier'),
  redirectUriMismatch: () => new OAuthError('redirect_uri_mismatch', 'redirect_uri must match configuration'),
  expiredRefreshToken: () => new OAuthError('invalid_grant', 'expired access/refresh token'),
  noClientCredentialsUser: () => new OAuthError('invalid_grant', 'no client credentials user enabled'),
  missingParameter: (name: string) => new OAuthError('invalid_request', `missing required parameter: ${name}`),
};
