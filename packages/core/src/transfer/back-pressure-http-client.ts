/**
 * An HttpClient that tells `onBackPressure` about every overload answer (429, 503, 408, 502, 504,
 * with the Retry-After it carried) and every reset or timeout, whoever made the request: how a
 * plugin whose requests go through shared code feeds an AdaptiveConcurrency.
 */
import { HttpClient, type HttpClientOptions, type HttpRequest, type HttpResponse } from '../http/http-client';
import { retryAfterMs } from '../http/http-error';
import { backPressureOf, OVERLOAD_STATUSES } from './back-pressure';

export class BackPressureHttpClient extends HttpClient {
  /** 429 answers seen. */
  http429 = 0;

  constructor(
    options: HttpClientOptions,
    private readonly onBackPressure: (retryAfterMs?: number) => void,
  ) {
    super(options);
  }

  override async request(req: HttpRequest): Promise<HttpResponse> {
    let response: HttpResponse;
    try {
      response = await super.request(req);
    } catch (error) {
      if (backPressureOf(error) && !req.signal?.aborted) this.onBackPressure();
      throw error;
    }
    if (response.statusCode === 429) this.http429++;
    if (OVERLOAD_STATUSES.has(response.statusCode)) this.onBackPressure(retryAfterMs(response.headers['retry-after']));
    return response;
  }
}
