// Runs around every test file: destroy the device at the end so the worker process exits cleanly
// (Dawn can crash at exit when a device is left running).
import { afterAll } from 'vitest';
import { shutdown } from '../src/gpu/device.js';

afterAll(async () => {
  await shutdown();
});
