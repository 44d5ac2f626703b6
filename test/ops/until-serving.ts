/**
 * Waits until a freshly started service answers a real route. startServer() returns once /healthz
 * answers, but /healthz (like /readyz) is exempt from load shedding, and for about a second after
 * start the service may still shed requests with 503: the event-loop delay it measures over its
 * first sampling interval includes the start-up work (compiling, loading the robots), above
 * MAX_EVENT_LOOP_DELAY_MS on a busy machine.
 */
export async function untilServing(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/robots`);
    if (response.ok) {
      await response.arrayBuffer();
      return;
    }
    last = `${response.status} ${await response.text()}`;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`GET ${url}/robots did not answer 200 within ${timeoutMs} ms; last answer: ${last}`);
}
