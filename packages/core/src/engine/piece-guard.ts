/**
 * The piece contract, enforced where one plugin hands pieces to the next (after the source, after
 * each transform): a data piece with a Buffer, an end, or a failed piece with an Error, each of a
 * document {id, name}. Anything else stops the pipeline right there, naming the plugin that made
 * it, so no sink ever reads a piece it does not know (a file sink would take it for the end).
 * The check is a few property reads per piece; pieces are chunks of up to ~10 MB, not rows.
 */
import { PipeError } from '../errors';
import type { Piece } from '../plugin/piece';
import { inPluginScope, type PluginScope } from './plugin-scope';

const PIECE_SHAPES = "a piece is {type: 'data', doc, data: Buffer}, {type: 'end', doc} or {type: 'failed', doc, error}";

export class InvalidPieceError extends PipeError {
  constructor(problem: string) {
    super(`produced an invalid piece (${problem}); ${PIECE_SHAPES}`, { code: 'INVALID_PIECE' });
  }
}

/** `a string`, `null`, `an array`: what a value is, for a message. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return `a ${value.constructor.name}`;
  const type = typeof value;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** What is wrong with a value offered as a piece, or undefined when it is a valid piece. */
export function pieceProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return kindOf(value);
  const piece = value as Record<string, unknown>;
  const { type } = piece;
  if (type !== 'data' && type !== 'end' && type !== 'failed') {
    return type === undefined ? 'an object without a type' : `a piece of unknown type ${JSON.stringify(type) ?? kindOf(type)}`;
  }
  const doc = piece.doc as Record<string, unknown> | null | undefined;
  if (typeof doc !== 'object' || doc === null || typeof doc.id !== 'string' || typeof doc.name !== 'string') {
    return `${type === 'end' ? 'an' : 'a'} ${type} piece whose doc is ${typeof doc === 'object' && doc !== null ? 'missing its id or name string' : kindOf(doc)}`;
  }
  if (type === 'data' && !Buffer.isBuffer(piece.data)) return `a data piece whose data is ${kindOf(piece.data)}, not a Buffer`;
  if (type === 'failed' && !(piece.error instanceof Error)) return `a failed piece whose error is ${kindOf(piece.error)}, not an Error`;
  return undefined;
}

function iteratorOf(produced: unknown): AsyncIterator<unknown> | Iterator<unknown> {
  if (typeof produced === 'object' && produced !== null) {
    const iterable = produced as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
    const asyncIterator = iterable[Symbol.asyncIterator];
    if (typeof asyncIterator === 'function') return asyncIterator.call(iterable);
    const syncIterator = iterable[Symbol.iterator];
    if (typeof syncIterator === 'function') return syncIterator.call(iterable);
  }
  throw new PipeError(`returned ${kindOf(produced)} where an iterable of pieces belongs`, { code: 'INVALID_PIECE' });
}

/**
 * The pieces `produce` makes, each checked. `produce` and every pull run in the plugin's scope;
 * what they throw, and an invalid piece, leave through `failed`, which names the plugin. Errors
 * thrown in from downstream (the pipeline tearing down) pass through unlabelled.
 */
export async function* guardPieces(
  scope: PluginScope,
  produce: () => AsyncIterable<unknown> | Iterable<unknown> | Promise<AsyncIterable<unknown> | Iterable<unknown>>,
  failed: (error: unknown) => Error,
): AsyncGenerator<Piece> {
  let iterator: AsyncIterator<unknown> | Iterator<unknown>;
  try {
    iterator = await inPluginScope(scope, async () => iteratorOf(await produce()));
  } catch (error) {
    throw failed(error);
  }
  let finished = false;
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await inPluginScope(scope, () => iterator.next());
      } catch (error) {
        finished = true;
        throw failed(error);
      }
      if (next.done) {
        finished = true;
        return;
      }
      const problem = pieceProblem(next.value);
      if (problem) throw failed(new InvalidPieceError(problem));
      yield next.value as Piece;
    }
  } finally {
    // Stopped early (an invalid piece, or downstream gave up): let the plugin release what it holds.
    if (!finished) await inPluginScope(scope, async () => iterator.return?.());
  }
}
