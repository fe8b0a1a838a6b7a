// A SHA-256 of a model's state (keys sorted, tensors as their bytes): equal hashes mean
// bit-identical weights, which the thread benchmarks require across thread counts.
import { createHash } from 'node:crypto';

export function weightsHash(state) {
  const hash = createHash('sha256');
  const walk = (v) => {
    if (ArrayBuffer.isView(v)) hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const k of Object.keys(v).sort()) (hash.update(k), walk(v[k]));
    else hash.update(String(v));
  };
  walk(state);
  return hash.digest('hex');
}
