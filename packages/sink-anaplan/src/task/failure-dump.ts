/**
 * Downloads an import's failure dump (the rejected rows with Anaplan's reason) to a file next to
 * the run's logs. The chunked form is used, as Anaplan recommends "to prevent timeouts": list the
 * chunks, fetch each (10 MB or less), append in order. Written atomically: a file that exists is whole.
 */
import { join } from 'node:path';
import { AtomicFile, HttpStatusError } from '@pipe/core';
import type { AnaplanApi } from '../http/anaplan-api';

interface ChunkList {
  readonly chunks?: readonly { readonly id: string | number }[];
}

/**
 * Save the dump found under `dumpPath` (`…/imports/{id}/tasks/{taskId}/dump` or
 * `…/processes/{id}/tasks/{taskId}/dumps/{objectId}`); returns the file written.
 */
export async function downloadFailureDump(api: AnaplanApi, dumpPath: string, runDir: string, fileName: string): Promise<string> {
  const target = join(runDir, fileName);
  const file = await AtomicFile.create(target);
  try {
    let list: ChunkList | undefined;
    try {
      list = await api.json<ChunkList>('GET', `${dumpPath}/chunks`);
    } catch (error) {
      // Older tenants answer only the whole-dump call.
      if (!(error instanceof HttpStatusError && error.status === 404)) throw error;
    }
    if (list?.chunks) {
      const ids = [...list.chunks].map((c) => String(c.id)).sort((a, b) => Number(a) - Number(b));
      for (const id of ids) {
        const chunk = await api.send({ method: 'GET', path: `${dumpPath}/chunks/${id}`, accept: 'application/octet-stream' });
        await file.write(chunk.body);
      }
    } else {
      const whole = await api.send({ method: 'GET', path: dumpPath, accept: 'text/plain' });
      await file.write(whole.body);
    }
    await file.commit();
    return target;
  } finally {
    await file.discard();
  }
}

/** A file name safe on every OS, e.g. `anaplan-failures-112000000000-16605AE8.csv`. */
export function dumpFileName(objectId: string, taskId: string): string {
  return `anaplan-failures-${objectId}-${taskId}.csv`.replace(/[^A-Za-z0-9._-]/g, '_');
}
