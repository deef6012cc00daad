/**
 * Bounds that keep a reader's time and memory proportional to the file it reads, so that a
 * small hostile file cannot cost gigabytes or hours (a "bomb"):
 *
 * - decoded tensors may take at most `maxTensorBytes` on the CPU, by default 4x the file's size
 *   plus 16 MiB. A tensor decodes to at most 4 bytes per stored byte (int8 -> int32), so only
 *   views that repeat data (an expanded, stride-0 view, as `x.expand(8192, 8192)` saves) can
 *   pass it; raise the option for such files.
 * - the deflated records of a torch zip may inflate to at most `maxTensorBytes` together, judged
 *   on their declared sizes before inflating (torch.save stores records uncompressed: a 510 KB
 *   entry honestly declaring 512 MiB is refused at once).
 * - a walk of the object tree visits at most 4x the file's size plus 100,000 nodes: a container
 *   shared by reference is walked once when it holds no tensor, and every repeated visit of one
 *   that does counts (lists sharing references 2^40 ways stop here, in milliseconds).
 */

/** Options of the readers that bound their work. */
export interface ReadLimits {
  /**
   * The most bytes the decoded tensors of one file may take on the CPU (default: 4 x the file's
   * size + 16 MiB). Raise it for files holding expanded (stride-0) views.
   */
  maxTensorBytes?: number;
}

const SLACK_BYTES = 16 * 2 ** 20;
const SLACK_NODES = 100_000;

/** A countdown of the bytes a file's decoded tensors may still take. */
export class ByteBudget {
  readonly limit: number;
  private used = 0;

  constructor(
    readonly file: string,
    fileBytes: number,
    limits: ReadLimits = {},
  ) {
    const given = limits.maxTensorBytes;
    if (given !== undefined && !(typeof given === 'number' && given >= 0))
      throw new Error(`${file}: maxTensorBytes must be a number >= 0, got ${String(given)}`);
    this.limit = given ?? 4 * fileBytes + SLACK_BYTES;
  }

  /** Takes `bytes` for the tensor `where`, or throws before anything is allocated. */
  take(bytes: number, where: string): void {
    if (this.used + bytes > this.limit) {
      throw new Error(
        `${where}: decoding it would bring the file's tensors to ${this.used + bytes} bytes, over the limit of ${this.limit} (4 x the file's size + 16 MiB unless maxTensorBytes is given): the file repeats data through expanded or overlapping views; pass { maxTensorBytes } to allow it`,
      );
    }
    this.used += bytes;
  }
}

/** The most nodes a walk of a file's object tree may visit. */
export const maxWalkNodes = (fileBytes: number): number => 4 * fileBytes + SLACK_NODES;
