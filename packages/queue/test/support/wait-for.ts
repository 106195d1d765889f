/** Polls `condition` until it holds; gives up with `what` after 45 s, inside jest's 60 s, so a failing test stops polling. */
export async function waitFor<T>(condition: () => T | Promise<T>, what: string, everyMs = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
