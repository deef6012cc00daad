/**
 * The command line's one argument parser, over Node's `util.parseArgs`: `--name value`,
 * `--name=value` (the way to give a value that starts with a dash: `--top=-1`), boolean
 * `--flag` and `--no-flag`, `-h`/`--help` in every command, `--` ending the options (what
 * follows is positional, even `-h`), and positional arguments. Each command declares its
 * options; an unknown option or a missing value is an error that names it, so a typo never
 * silently changes a run.
 */
import { parseArgs as nodeParseArgs } from 'node:util';

/** One option of a command. */
export interface OptionSpec {
  /** 'string' takes a value; 'boolean' is a flag (`--name`, `--no-name`). */
  type: 'string' | 'boolean';
  /** One line for the command's --help. */
  help: string;
  default?: string;
  /** A one-letter alias (`-h` for help). */
  short?: string;
}

/** The options given (and defaulted) by name, and the positional arguments in order. */
export interface Parsed {
  options: Map<string, string | boolean>;
  positional: string[];
}

/** A mistake on the command line: printed without a stack, exit code 2. */
export class UsageError extends Error {}

/** Every command has -h/--help. */
const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

/** Parses `args` against `spec` (option names without the leading dashes). */
export function parseArgs(command: string, args: readonly string[], spec: Record<string, OptionSpec>): Parsed {
  const all: Record<string, OptionSpec> = { ...spec, help: spec.help ?? HELP };
  // util.parseArgs of Node 20 has no `allowNegative`: `--no-NAME` of a boolean is read here.
  const end = args.indexOf('--');
  const negated: string[] = [];
  const rest = args.filter((a, i) => {
    const name = a.startsWith('--no-') && (end < 0 || i < end) ? a.slice(5) : '';
    if (all[name]?.type === 'boolean') negated.push(name);
    return !(name && all[name]?.type === 'boolean');
  });
  let values: Record<string, string | boolean | undefined>, positionals: string[];
  try {
    ({ values, positionals } = nodeParseArgs({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: Object.fromEntries(
        Object.entries(all).map(([name, o]) => [name, o.short ? { type: o.type, short: o.short } : { type: o.type }]),
      ),
    }));
  } catch (e) {
    throw new UsageError(explain(command, e as Error & { code?: string }));
  }
  const options = new Map<string, string | boolean>();
  for (const [name, v] of Object.entries(values)) if (v !== undefined) options.set(name, v);
  for (const name of negated) options.set(name, false);
  for (const [name, option] of Object.entries(all)) {
    if (!options.has(name) && option.default !== undefined) options.set(name, option.default);
  }
  return { options, positional: positionals };
}

/** util.parseArgs's error, said the way the rest of the command line says things. */
function explain(command: string, e: Error & { code?: string }): string {
  const option = /'(-[^' ]*)/.exec(e.message)?.[1] ?? '';
  const see = `(see: shadergrad ${command} --help)`;
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `${command}: unknown option ${option} ${see}`;
  if (/does not take an argument/.test(e.message))
    return `${command}: option ${option} takes no value (use ${option} or --no-${option.replace(/^-+/, '')})`;
  if (/ambiguous/.test(e.message))
    return `${command}: option ${option} needs a value; a value starting with a dash is written ${option}=VALUE`;
  if (/argument missing/.test(e.message)) return `${command}: option ${option} needs a value`;
  return `${command}: ${e.message}`;
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
  if (v.trim() === '' || !Number.isFinite(n) || (options.integer && !Number.isInteger(n))) {
    throw new UsageError(`${command}: --${name} expects ${options.integer ? 'an integer' : 'a number'}, got "${v}"`);
  }
  return n;
}

/** Whether a boolean option is on. */
export function flag(p: Parsed, name: string): boolean {
  return p.options.get(name) === true;
}

/** The --help text of a command (every command has -h/--help). */
export function helpText(usage: string, spec: Record<string, OptionSpec>): string {
  const all: Record<string, OptionSpec> = { ...spec, help: spec.help ?? HELP };
  const names = Object.entries(all).map(([name, o]) => [
    name,
    `${o.short ? `-${o.short}, ` : ''}--${o.type === 'boolean' && name !== 'help' ? `[no-]${name}` : name}`,
  ]);
  const width = Math.max(...names.map(([, n]) => n.length)) + 2;
  const lines = names.map(([name, shown]) => {
    const o = all[name];
    const def = o.default !== undefined ? ` (default ${o.default})` : '';
    return `  ${shown.padEnd(width)}${o.help}${def}`;
  });
  return `usage: ${usage}\n\noptions:\n${lines.join('\n')}\n\n'--' ends the options; a value starting with a dash is written --name=VALUE.\n`;
}
