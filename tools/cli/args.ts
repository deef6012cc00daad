/**
 * A small command-line parser: `--name value`, `--name=value`, boolean `--flag`, and positional
 * arguments. Each command declares its options; an unknown option or a missing value is an
 * error that names it, so a typo never silently changes a run.
 */
export interface OptionSpec {
  /** 'string' takes a value; 'boolean' is a flag. */
  type: 'string' | 'boolean';
  /** One line for the command's --help. */
  help: string;
  default?: string;
}

export interface Parsed {
  options: Map<string, string | boolean>;
  positional: string[];
}

export class UsageError extends Error {}

/** Parses `args` against `spec` (option names without the leading dashes). */
export function parseArgs(command: string, args: readonly string[], spec: Record<string, OptionSpec>): Parsed {
  const options = new Map<string, string | boolean>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const [name, inline] = splitOnce(arg.slice(2), '=');
    const option = spec[name];
    if (!option) throw new UsageError(`${command}: unknown option --${name} (see: shadergrad ${command} --help)`);
    if (option.type === 'boolean') {
      options.set(name, inline === undefined ? true : inline !== 'false');
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`${command}: option --${name} needs a value`);
    }
    options.set(name, value);
  }
  for (const [name, option] of Object.entries(spec)) {
    if (!options.has(name) && option.default !== undefined) options.set(name, option.default);
  }
  return { options, positional };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const at = s.indexOf(sep);
  return at < 0 ? [s, undefined] : [s.slice(0, at), s.slice(at + 1)];
}

/** A string option's value, or undefined. */
export function str(p: Parsed, name: string): string | undefined {
  const v = p.options.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** A required string option. */
export function required(p: Parsed, command: string, name: string): string {
  const v = str(p, name);
  if (v === undefined) throw new UsageError(`${command}: --${name} is required`);
  return v;
}

/** A numeric option, checked to be a finite number (and an integer when asked). */
export function num(p: Parsed, command: string, name: string, options: { integer?: boolean } = {}): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (options.integer && !Number.isInteger(n))) {
    throw new UsageError(`${command}: --${name} expects ${options.integer ? 'an integer' : 'a number'}, got "${v}"`);
  }
  return n;
}

export function flag(p: Parsed, name: string): boolean {
  return p.options.get(name) === true;
}

/** The --help text of a command. */
export function helpText(usage: string, spec: Record<string, OptionSpec>): string {
  const width = Math.max(...Object.keys(spec).map((k) => k.length)) + 4;
  const lines = Object.entries(spec).map(([name, o]) => {
    const def = o.default !== undefined ? ` (default ${o.default})` : '';
    return `  --${name.padEnd(width)}${o.help}${def}`;
  });
  return `usage: ${usage}\n\noptions:\n${lines.join('\n')}\n`;
}
