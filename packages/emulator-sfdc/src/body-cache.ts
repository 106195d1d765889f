/**
 * Generated bodies kept in memory after their first full request, up to a byte budget
 * (`bodyCacheBytes`). Generating CSV costs the emulator CPU per byte; a benchmark that fetches the
 * same report again wants the emulator to serve like a file server, so that what it measures is
 * the client. Bodies are keyed by the object they were generated from (a report spec, a Bulk
 * dataset) plus a variant string, so replacing a report never serves its old bytes.
 */
export class BodyCache {
  private readonly bodies = new WeakMap<object, Map<string, readonly Buffer[]>>();
  private usedBytes = 0;

  constructor(private readonly budgetBytes: number) {}

  /** The body's chunks: from memory when kept, otherwise generated (and kept when it completes within the budget). */
  *chunks(owner: object, variant: string, generate: () => Iterable<Buffer>): Generator<Buffer, void, undefined> {
    const kept = this.bodies.get(owner)?.get(variant);
    if (kept !== undefined) {
      yield* kept;
      return;
    }
    if (this.budgetBytes <= this.usedBytes) {
      yield* generate();
      return;
    }
    let collected: Buffer[] | undefined = [];
    let size = 0;
    for (const chunk of generate()) {
      if (collected !== undefined) {
        size += chunk.length;
        if (this.usedBytes + size > this.budgetBytes) collected = undefined;
        else collected.push(chunk);
      }
      yield chunk;
    }
    // Only a body generated to its end is kept (a client that left early stops the generator above).
    if (collected === undefined) return;
    let variants = this.bodies.get(owner);
    if (variants === undefined) this.bodies.set(owner, (variants = new Map<string, readonly Buffer[]>()));
    variants.set(variant, collected);
    this.usedBytes += size;
  }
}
