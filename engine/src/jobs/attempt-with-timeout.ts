// One attempt of a handler, bounded by its timeout, for both drivers: at the timeout the attempt fails with
// one message everywhere and the handler's signal aborts. A handler cannot be stopped from outside, so one that
// ignores its signal runs on unobserved; its late result is dropped.

/** Resolves when `run` does; rejects when it does or when `timeoutMs` passes first. */
export async function attemptWithTimeout(run: (signal: AbortSignal) => Promise<void>, timeoutMs: number | undefined): Promise<void> {
  const controller = new AbortController();
  const running = Promise.resolve().then(() => run(controller.signal));
  if (timeoutMs === undefined) return running;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`Job timed out after ${timeoutMs} ms`));
      controller.abort();
    }, timeoutMs);
  });
  try {
    await Promise.race([running, timeout]);
  } catch (err) {
    running.catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
