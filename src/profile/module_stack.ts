/**
 * The modules whose `forward` is running, outermost first, as dotted paths (`layer2.0.conv1`):
 * nn/forward_scope.ts pushes a module's path when its forward starts and pops it when it
 * returns; the profiler files each kernel launch under the innermost path. The path of a module
 * is its parent's path plus its name among the parent's named children (or descendants); a
 * module run with no module around it is the top one: its path is '' and tables name it by its
 * class (`ResNet`), so that its children read as in `named_modules()`.
 */

/** One running forward. */
interface Frame {
  readonly module: object;
  readonly path: string;
  /** The class name (`Conv2d`). */
  readonly type: string;
  /** The input shapes, e.g. '[2, 64, 16, 16]'. */
  readonly shapes: string;
}

const stack: Frame[] = [];
let tracking = false;
/** Names found so far, per parent (the module tree does not change while profiling). */
let names = new WeakMap<object, Map<object, string | null>>();

/** Turns path tracking on or off (on while profiling). */
export function trackModulePaths(on: boolean): void {
  tracking = on;
  stack.length = 0;
  names = new WeakMap();
}

/** Whether forwards should report themselves. */
export function isTrackingModules(): boolean {
  return tracking;
}

/** Finds `child`'s dotted name under `parent`: among its children first, then its descendants. */
type Named = { namedModules(prefix?: string): Array<[string, object]>; constructor: { name: string } };

function nameUnder(parent: Named, child: object): string | null {
  let known = names.get(parent);
  if (!known) names.set(parent, (known = new Map()));
  if (!known.has(child)) known.set(child, parent.namedModules().find(([p, m]) => m === child && p !== '')?.[0] ?? null);
  return known.get(child)!;
}

/** Enters a module's forward; returns whether a frame was pushed (a module re-entering itself through `super.forward` is not). */
export function enterModule(module: Named, shapes: string): boolean {
  const top = stack.at(-1);
  if (top?.module === module) return false;
  const type = module.constructor.name;
  let path = '';
  if (top) {
    const name = nameUnder(top.module as Named, module) ?? `<${type}>`;
    path = top.path ? `${top.path}.${name}` : name;
  }
  stack.push({ module, path, type, shapes });
  return true;
}

/** Leaves the innermost module's forward. */
export function leaveModule(): void {
  stack.pop();
}

/** A running module as the profiler files it. */
export interface ModuleFrame {
  /** Dotted path from the top module ('' for the top module itself). */
  readonly path: string;
  /** Class name. */
  readonly type: string;
  /** Input shapes. */
  readonly shapes: string;
}

/** The running modules, outermost first (copies: the profiler keeps them per launch). */
export function moduleFrames(): ModuleFrame[] {
  return stack.map(({ path, type, shapes }) => ({ path, type, shapes }));
}
