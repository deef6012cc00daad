/**
 * `shadergrad inspect FILE`: the tensors of a .pth/.pt/.th (torch.save, zip or legacy) or
 * .safetensors file as a table (name, stored dtype, shape, element count) and the total
 * parameter count, without a GPU. A truncated zip whose tensor list survives is still listed,
 * with a warning that its data is incomplete.
 */
import * as sg from '../../src/index.js';
import { UsageError, flag, helpText, parseArgs, str, type OptionSpec } from './args.js';

const SPEC: Record<string, OptionSpec> = {
  filter: { type: 'string', help: 'list only the tensors whose name contains SUBSTRING' },
};

const USAGE =
  'shadergrad inspect FILE [--filter SUBSTRING]   (lists the tensors of a .pth/.pt/.th or .safetensors file)';

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Formats the table: one row per tensor, columns padded to their widest cell. */
export function formatTable(entries: sg.io.InspectEntry[]): string {
  const rows = [
    ['name', 'dtype', 'shape', 'numel'],
    ...entries.map((e) => [e.name, e.dtype, `[${e.shape.join(', ')}]`, numel(e.shape).toLocaleString('en-US')]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/**
 * Prints the table for the file argument; `--filter s` keeps the names containing s. Without a
 * file it prints the usage (exit code 2); a file that cannot be read sets exit code 1.
 */
export async function inspectCommand(args: string[]): Promise<void> {
  const p = parseArgs('inspect', args, SPEC);
  if (flag(p, 'help')) {
    console.log(helpText(USAGE, SPEC).trimEnd());
    return;
  }
  const [file, ...extra] = p.positional;
  if (extra.length) throw new UsageError(`inspect: one file at a time; unexpected argument "${extra[0]}"`);
  if (!file) {
    console.log(helpText(USAGE, SPEC).trimEnd());
    process.exitCode = 2;
    return;
  }
  const filter = str(p, 'filter');
  try {
    const result = await sg.io.inspect(file);
    const entries = filter ? result.filter((e) => e.name.includes(filter)) : [...result];
    console.log(`${file} (${result.format}): ${entries.length} tensors${filter ? ` matching '${filter}'` : ''}`);
    console.log(formatTable(entries));
    const total = entries.reduce((n, e) => n + numel(e.shape), 0);
    console.log(
      `total: ${total.toLocaleString('en-US')} parameters (elements, buffers included) in ${entries.length} tensors`,
    );
    if (result.truncated) console.log(`warning: ${result.truncated}`);
  } catch (e) {
    console.error(`shadergrad inspect: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
