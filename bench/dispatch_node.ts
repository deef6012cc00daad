/**
 * bench/dispatch_overhead.ts in Node, for the site's e2e test (tools/browser/web_e2e.mjs
 * --compare-node), which sets it beside the same measurement in the benchmark page:
 *
 *   node tools/run.mjs bench/dispatch_node.ts     prints one line per variant, then DISPATCH_US <json>
 */
import * as sg from '../src/index.js';
import { dispatchOverhead } from './dispatch_overhead.js';

const info = await sg.init({ tune: false });
const rows = await dispatchOverhead();
for (const r of rows) console.log(`${r.name}: ${r.us.toFixed(1)} us per dispatch`);
console.log(`${info.adapterName}`);
console.log(`DISPATCH_US ${JSON.stringify(rows)}`);
await sg.shutdown();
