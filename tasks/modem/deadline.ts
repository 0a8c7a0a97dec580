import type { Clock } from '../../protocol/ports/clock';

/** A session step ran past its time limit; `step` names it for the log and the back-off decision. */
export class StepTimeout extends Error {
  override readonly name = 'StepTimeout';

  constructor(readonly step: string, readonly limitMs: number) {
    super(`${step}: no result within ${Math.round(limitMs / 1000)} s`);
  }
}

/**
 * `work` or a StepTimeout after `limitMs` on the injected clock, whichever comes first. On timeout
 * `abort` runs (close the connection, cut the modem) so the abandoned work ends too; its late
 * result or failure is swallowed.
 */
export function withDeadline<T>(clock: Clock, limitMs: number, step: string, work: Promise<T>, abort?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = clock.setTimer(clock.now() + limitMs, () => {
      if (settled) return;
      settled = true;
      try {
        abort?.();
      } finally {
        reject(new StepTimeout(step, limitMs));
      }
    });
    work.then(
      (value) => {
        if (settled) return;
        settled = true;
        clock.clearTimer(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clock.clearTimer(timer);
        reject(error);
      },
    );
  });
}

/** Resolves after `ms` on the injected clock. */
export function pause(clock: Clock, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    clock.setTimer(clock.now() + ms, resolve);
  });
}
