/**
 * From a kernel's WGSL text to its file on the site: tools/web.mjs copies every shader under
 * shaders/ and writes shaders/index.json, FNV-1a hash of the text -> path; the page hashes the
 * source the kernel table ran and links to that file (which opens with its header comment).
 */

/** FNV-1a over UTF-16 code units, as tools/web.mjs computes it, in hex. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

let index: Record<string, string> | null = null;

/** Loads shaders/index.json (an empty index if it is missing: the page then shows no links). */
export async function loadShaderIndex(base = 'shaders/'): Promise<void> {
  const res = await fetch(`${base}index.json`).catch(() => null);
  index = res?.ok ? ((await res.json()) as Record<string, string>) : {};
}

/** The site path of the file holding exactly this WGSL source, or null. */
export const shaderPath = (source: string): string | null => index?.[fnv1a(source)] ?? null;
