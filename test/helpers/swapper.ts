// Another thread that keeps swapping folders inside the files root for a symbolic link to a folder
// outside and back (renaming the real folder aside, linking, unlinking, renaming it back), as
// someone with write access to the root could, while a test reads and writes through them.
import { Worker } from 'node:worker_threads';

const SWAPPER = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { folders, target, stop } = workerData;
const flag = new Int32Array(stop);
let k = 0;
parentPort.postMessage('started');
while (Atomics.load(flag, 0) === 0) {
  k++;
  const moved = folders.map((swap) => {
    try { fs.renameSync(swap, swap + '-aside-' + k); return true; } catch { return false; }
  });
  for (const swap of folders) try { fs.symlinkSync(target, swap); } catch {}
  for (let i = Math.random() * 2000; i > 0; i--);
  for (const swap of folders) try { if (fs.lstatSync(swap).isSymbolicLink()) fs.unlinkSync(swap); } catch {}
  folders.forEach((swap, j) => { if (moved[j]) try { fs.renameSync(swap + '-aside-' + k, swap); } catch {} });
  Atomics.wait(flag, 0, 0, Math.random() * 2); // the real folders stay longer, so that calls also go through
}
parentPort.postMessage(k);
`;

/** Runs `body` while each of `folders` flips to a link to `target` and back; returns how many swaps ran. */
export async function whileSwapping<T>(folders: string[], target: string, body: () => T | Promise<T>): Promise<{ result: T; swaps: number }> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(SWAPPER, { eval: true, workerData: { folders, target, stop: stop.buffer } });
  await new Promise<void>((resolve, reject) => worker.once('message', () => resolve()).once('error', reject));
  const swaps = new Promise<number>((resolve, reject) => worker.once('message', resolve).once('error', reject));
  try {
    const result = await body();
    Atomics.store(stop, 0, 1);
    return { result, swaps: await swaps };
  } finally {
    Atomics.store(stop, 0, 1);
    await swaps.catch(() => 0);
    await worker.terminate();
  }
}
