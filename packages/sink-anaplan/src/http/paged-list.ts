/** Anaplan's list calls page with `offset` and `limit`; this reads every page. */
import type { AnaplanApi } from './anaplan-api';

interface ListAnswer {
  readonly meta?: { readonly paging?: { readonly totalSize?: number } };
  readonly [key: string]: unknown;
}

const PAGE_SIZE = 5000;

/** Every item of `GET path` under `key` (`files`, `tasks`, ...); `path` may carry a query already. */
export async function listAll<T>(api: AnaplanApi, path: string, key: string): Promise<T[]> {
  const items: T[] = [];
  const join = path.includes('?') ? '&' : '?';
  for (let offset = 0; ;) {
    const answer = await api.json<ListAnswer>('GET', `${path}${join}offset=${offset}&limit=${PAGE_SIZE}`);
    const page = (answer[key] as T[] | undefined) ?? [];
    items.push(...page);
    offset += page.length;
    const total = answer.meta?.paging?.totalSize;
    if (page.length === 0 || total === undefined || offset >= total) break;
  }
  return items;
}
