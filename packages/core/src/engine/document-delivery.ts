/**
 * What became of each document, decided once the sink is done. A source ending a document only
 * means every byte was sent; the document succeeded when the sink delivered it: the sink finished
 * without error (its `consume` resolved), or its DocumentResult names the document. So a run
 * interrupted or failed during the sink's last step (an import after the upload) never records
 * the document as succeeded, and `--only-failed` sends it again.
 */
import type { SinkResult } from '../plugin/contract';
import type { DocumentOutcome } from './outcome';

/** How the sink's work ended: it delivered everything, or the pipeline failed or was interrupted first. */
export type SinkEnding = 'delivered' | 'failed' | 'interrupted';

/**
 * Settles each document's status, and takes what the sink says about it: its outputs, and its
 * rows when the source did not count them (an import's row count). `ended` holds the ids of the
 * documents whose producer sent their end.
 */
export function settleDocuments(documents: readonly DocumentOutcome[], ended: ReadonlySet<string>, ending: SinkEnding, sink?: SinkResult): void {
  for (const d of documents) {
    const result = sink?.documents?.find((r) => r.doc.id === d.id);
    if (result) {
      if (result.outputs) d.outputs = result.outputs;
      if (d.rows === undefined && result.rows !== undefined) d.rows = result.rows;
    }
    if (d.status === 'failed') continue; // its producer failed it
    if (result || (ended.has(d.id) && ending === 'delivered')) {
      d.status = 'succeeded';
    } else if (ending === 'interrupted') {
      d.status = 'interrupted';
    } else {
      d.status = 'failed';
      d.error ??= ended.has(d.id)
        ? 'not delivered: the pipeline failed before the sink finished it'
        : 'cut short: the pipeline failed before the document ended';
    }
  }
}
