/**
 * A custom sink in one file: POST each chunk (or each whole document) to an HTTP endpoint.
 *
 *   sink:
 *     use: ./plugins/http-post-sink.ts
 *     with: { url: "https://example.com/ingest", token: "${INGEST_TOKEN}" }
 *
 * Chunks go one at a time, in order, each retried on 429/5xx with core's backoff; the sink pulls
 * the next chunk only after the previous one is accepted, which is what keeps memory bounded.
 */
import { Config, defineSink, HttpClient, HttpStatusError, isTransientNetworkError, retry, RetrySettings, Secret, Type } from '@pipe/core';

const schema = Config({
  url: Type.String({ pattern: '^https?://', description: 'Where each chunk is POSTed.' }),
  token: Type.Optional(Secret({ description: 'Sent as `Authorization: Bearer <token>`.' })),
  contentType: Type.String({ default: 'text/csv', description: 'Content-Type of each POST.' }),
  retry: RetrySettings,
});

export default defineSink({
  name: 'http-post',
  summary: 'POST each chunk to an HTTP endpoint.',
  config: schema,
  async consume(input, config, ctx) {
    const http = new HttpClient({ connections: 1, log: ctx.log, secrets: ctx.secrets });
    let posted = 0;
    let buffered: Buffer[] = [];
    const post = async (body: Buffer, label: string) => {
      await retry(
        async () => {
          const headers: Record<string, string> = { 'content-type': config.contentType };
          if (config.token) headers.authorization = `Bearer ${config.token}`;
          await http.text({ method: 'POST', url: config.url, headers, body, signal: ctx.signal });
        },
        {
          ...config.retry,
          signal: ctx.signal,
          classify: (error) =>
            error instanceof HttpStatusError && (error.status === 429 || error.status >= 500)
              ? { retry: true, delayMs: error.retryAfterMs, reason: `HTTP ${error.status}` }
              : isTransientNetworkError(error)
                ? { retry: true, reason: 'network' }
                : { retry: false },
          onRetry: ({ reason }) => {
            ctx.progress.add({ retries: 1 });
            ctx.log.warn(`retrying ${label}: ${reason}`);
          },
        },
      );
      posted++;
      ctx.progress.add({ chunks: 1, bytes: body.length });
    };
    try {
      for await (const piece of input) {
        if (piece.type === 'failed') throw piece.error;
        if (piece.type === 'data' && piece.chunk !== undefined) {
          await post(piece.data, `chunk ${piece.chunk}`);
          piece.release?.(); // sent: its memory can be reused upstream
        } else if (piece.type === 'data') buffered.push(piece.data);
        else if (buffered.length) {
          await post(Buffer.concat(buffered), `document ${piece.doc.name}`);
          buffered = [];
        }
      }
      return { outputs: [`${config.url}: ${posted} POSTs`] };
    } finally {
      await http.close();
    }
  },
});
