/** Global grad mode: when off, ops record nothing on the tape (inference, metric computation, optimiser steps). */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

function runWith<T>(mode: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Run fn with gradient recording switched off (like torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  return runWith(false, fn);
}

/** Run fn with gradient recording switched on, even inside noGrad (like torch.enable_grad). */
export function withGrad<T>(fn: () => T): T {
  return runWith(true, fn);
}
