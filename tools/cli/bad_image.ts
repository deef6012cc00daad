/**
 * `--on-bad-image skip|error` and `--max-image-pixels N` of the commands that read image
 * folders: what to do with an empty, corrupt or non-image file, or one whose header declares
 * more than twice the pixel limit (a decompression bomb, as Pillow's MAX_IMAGE_PIXELS).
 */
import { UsageError, num, str, type OptionSpec, type Parsed } from './args.js';

/** The options, to spread into a command's spec. */
export const BAD_IMAGE_SPEC: Record<string, OptionSpec> = {
  'on-bad-image': {
    type: 'string',
    help: 'a bad image file (empty, corrupt, not JPEG/PNG, over the pixel limit): error (stop, naming it) | skip (leave it out with a warning)',
    default: 'error',
  },
  'max-image-pixels': {
    type: 'string',
    help: "refuse images above twice N pixels before decoding (default 89478485, Pillow's MAX_IMAGE_PIXELS)",
  },
};

/** The image-folder options of the parsed command line. */
export function badImageOptions(p: Parsed, command: string): { onBadImage: 'error' | 'skip'; maxImagePixels?: number } {
  const v = str(p, 'on-bad-image');
  if (v !== 'error' && v !== 'skip')
    throw new UsageError(`${command}: --on-bad-image must be one of error, skip, got "${v}"`);
  const maxImagePixels = num(p, command, 'max-image-pixels', { integer: true });
  if (maxImagePixels !== undefined && maxImagePixels < 1)
    throw new UsageError(`${command}: --max-image-pixels must be at least 1, got ${maxImagePixels}`);
  return { onBadImage: v, maxImagePixels };
}
