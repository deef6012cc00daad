/** The one place `sg.io` touches the GPU: checked CPU records become tensors, all or nothing. */
import { tensor } from '../ops/create.js';
import type { Tensor } from '../tensor.js';
import type { TensorRecord } from './records.js';

/**
 * Makes GPU tensors from checked CPU records (one tensor per distinct record: keys sharing a
 * record, as tied weights do, share the tensor); if making one fails, disposes those already made.
 */
export function toGpu(records: Map<string, TensorRecord>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  const made = new Map<TensorRecord, Tensor>();
  try {
    for (const [key, r] of records) {
      let t = made.get(r);
      if (!t) made.set(r, (t = tensor(r.data, { shape: r.shape, dtype: r.dtype })));
      out.set(key, t);
    }
  } catch (e) {
    for (const t of made.values()) t.dispose();
    throw e;
  }
  return out;
}

/** Reads GPU tensors back into CPU records (float32 or int32). */
export async function toRecords(
  state: Map<string, Tensor> | Record<string, Tensor>,
): Promise<Map<string, TensorRecord>> {
  const entries = state instanceof Map ? [...state] : Object.entries(state);
  const out = new Map<string, TensorRecord>();
  for (const [key, t] of entries)
    out.set(key, { dtype: t.dtype, shape: [...t.shape], data: await t.data(), sourceDtype: t.dtype });
  return out;
}
