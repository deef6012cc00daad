/**
 * An RGBA raster for the plots: filled rectangles, anti-aliased lines and discs, bitmap text
 * (src/plot/font.ts), scaled images, and PNG encoding through pngjs (loaded at run time in Node,
 * see src/data/node.ts, so that the plots bundle for browsers). Coordinates are pixels
 * with the origin at the top left; pixel (x, y) covers [x, x+1) x [y, y+1), so its centre is
 * at (x + 0.5, y + 0.5).
 */
import type * as PngJs from 'pngjs';
import { nodeRequire } from '../data/node.js';
import { ADVANCE, CAP_H, GLYPH_H, GLYPH_W, glyph, textWidth } from './font.js';

/** A colour as [r, g, b] or [r, g, b, a], each 0..255. */
export type Color = readonly [number, number, number] | readonly [number, number, number, number];

/** '#rrggbb' to a Color. */
export function hex(code: string): Color {
  const n = parseInt(code.replace('#', ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export interface TextOptions {
  /** Integer pixel multiplier of the 5x7 font (default 1). */
  scale?: number;
  /** Horizontal anchor at x (default 'left'); for vertical text it applies along the text. */
  align?: 'left' | 'center' | 'right';
  /** Vertical anchor at y: the top of capitals, or their middle (default 'top'). */
  baseline?: 'top' | 'middle';
  /** Rotate 90 degrees counter-clockwise (reads bottom to top, as y-axis labels). */
  vertical?: boolean;
}

/** An image to draw: height x width x channels bytes (channels 1 = grey, 3 = RGB, 4 = RGBA). */
export interface RasterImage {
  data: Uint8Array;
  height: number;
  width: number;
  channels?: number;
}

export class Canvas {
  /** RGBA bytes, row-major, 4 per pixel. */
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Color = [255, 255, 255],
  ) {
    if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
      throw new Error(`Canvas: size must be positive integers, got ${width}x${height}`);
    }
    this.data = new Uint8Array(width * height * 4);
    this.fill(background);
  }

  /** Blends `color` over pixel (x, y) with coverage `alpha` in [0, 1] (source-over). */
  blend(x: number, y: number, color: Color, alpha = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const a = alpha * ((color[3] ?? 255) / 255);
    if (a <= 0) return;
    const i = (y * this.width + x) * 4;
    const d = this.data;
    for (let c = 0; c < 3; c++) d[i + c] = Math.round(d[i + c] * (1 - a) + color[c] * a);
    d[i + 3] = Math.round(d[i + 3] * (1 - a) + 255 * a);
  }

  /** The [r, g, b, a] at pixel (x, y). */
  pixel(x: number, y: number): [number, number, number, number] {
    const i = (y * this.width + x) * 4;
    return [this.data[i], this.data[i + 1], this.data[i + 2], this.data[i + 3]];
  }

  fill(color: Color): void {
    for (let i = 0; i < this.width * this.height; i++) {
      this.data.set([color[0], color[1], color[2], color[3] ?? 255], i * 4);
    }
  }

  /** A filled axis-aligned rectangle; corners rounded to whole pixels. */
  rect(x: number, y: number, w: number, h: number, color: Color): void {
    const x0 = Math.max(0, Math.round(x)),
      x1 = Math.min(this.width, Math.round(x + w));
    const y0 = Math.max(0, Math.round(y)),
      y1 = Math.min(this.height, Math.round(y + h));
    for (let py = y0; py < y1; py++) for (let px = x0; px < x1; px++) this.blend(px, py, color);
  }

  /** The outline of a rectangle, `thickness` pixels wide, drawn inside it. */
  strokeRect(x: number, y: number, w: number, h: number, color: Color, thickness = 1): void {
    const t = thickness;
    this.rect(x, y, w, t, color);
    this.rect(x, y + h - t, w, t, color);
    this.rect(x, y + t, t, h - 2 * t, color);
    this.rect(x + w - t, y + t, t, h - 2 * t, color);
  }

  /**
   * An anti-aliased segment `width` pixels wide with round caps. Each pixel's coverage is
   * clamp(width/2 + 0.5 - d, 0, 1), d the distance from its centre to the segment: a one-pixel
   * ramp at the edge. `dash` = [on, off] lengths in pixels draws a dashed line.
   */
  line(x0: number, y0: number, x1: number, y1: number, color: Color, width = 1, dash?: [number, number]): void {
    const len = Math.hypot(x1 - x0, y1 - y0);
    if (dash && len > 0) {
      const [on, off] = dash;
      for (let s = 0; s < len; s += on + off) {
        const e = Math.min(len, s + on);
        const p = (t: number) => [x0 + ((x1 - x0) * t) / len, y0 + ((y1 - y0) * t) / len] as const;
        const [ax, ay] = p(s),
          [bx, by] = p(e);
        this.line(ax, ay, bx, by, color, width);
      }
      return;
    }
    const r = width / 2;
    const minX = Math.floor(Math.min(x0, x1) - r - 1),
      maxX = Math.ceil(Math.max(x0, x1) + r + 1);
    const minY = Math.floor(Math.min(y0, y1) - r - 1),
      maxY = Math.ceil(Math.max(y0, y1) + r + 1);
    const dx = x1 - x0,
      dy = y1 - y0,
      l2 = dx * dx + dy * dy;
    for (let py = Math.max(0, minY); py <= Math.min(this.height - 1, maxY); py++) {
      for (let px = Math.max(0, minX); px <= Math.min(this.width - 1, maxX); px++) {
        const cx = px + 0.5,
          cy = py + 0.5;
        // Projection of the pixel centre onto the segment, clamped to its ends.
        const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((cx - x0) * dx + (cy - y0) * dy) / l2));
        const d = Math.hypot(cx - (x0 + t * dx), cy - (y0 + t * dy));
        const cover = Math.max(0, Math.min(1, r + 0.5 - d));
        if (cover > 0) this.blend(px, py, color, cover);
      }
    }
  }

  /** A connected polyline through `points`; non-finite points break it into pieces. */
  polyline(points: readonly (readonly [number, number])[], color: Color, width = 1): void {
    for (let i = 1; i < points.length; i++) {
      const [ax, ay] = points[i - 1],
        [bx, by] = points[i];
      if ([ax, ay, bx, by].every(Number.isFinite)) this.line(ax, ay, bx, by, color, width);
    }
  }

  /** An anti-aliased filled disc of radius r centred at (cx, cy). */
  circle(cx: number, cy: number, r: number, color: Color): void {
    this.line(cx, cy, cx, cy, color, 2 * r);
  }

  /** Draws `text` in the bitmap font; returns its width in pixels. */
  text(x: number, y: number, text: string, color: Color, options: TextOptions = {}): number {
    const s = Math.max(1, Math.round(options.scale ?? 1));
    const w = textWidth(text, s);
    const shift = options.align === 'center' ? w / 2 : options.align === 'right' ? w : 0;
    const lift = options.baseline === 'middle' ? (CAP_H * s) / 2 : 0;
    // Start of the text along its direction, and the top of its glyphs across it.
    const along = Math.round(options.vertical ? y + shift : x - shift);
    const across = Math.round(options.vertical ? x - lift : y - lift);
    [...text].forEach((ch, k) => {
      const rows = glyph(ch);
      for (let gy = 0; gy < GLYPH_H; gy++) {
        for (let gx = 0; gx < GLYPH_W; gx++) {
          if (!rows[gy][gx]) continue;
          const u = k * ADVANCE + gx; // along the text, in font pixels
          if (options.vertical) this.rect(across + gy * s, along - (u + 1) * s, s, s, color);
          else this.rect(along + u * s, across + gy * s, s, s, color);
        }
      }
    });
    return w;
  }

  /**
   * Draws `image` scaled into the box (x, y, w, h). Each target pixel averages the source pixels
   * under its footprint (a box filter), so downscaling does not alias; upscaling repeats pixels.
   */
  image(image: RasterImage, x: number, y: number, w: number, h: number): void {
    const c = image.channels ?? 3;
    if (image.data.length !== image.height * image.width * c) {
      throw new Error(`Canvas.image: ${image.data.length} bytes for ${image.height}x${image.width}x${c}`);
    }
    const sx = image.width / w,
      sy = image.height / h;
    for (let ty = 0; ty < h; ty++) {
      const y0 = Math.floor(ty * sy),
        y1 = Math.max(y0 + 1, Math.floor((ty + 1) * sy));
      for (let tx = 0; tx < w; tx++) {
        const x0 = Math.floor(tx * sx),
          x1 = Math.max(x0 + 1, Math.floor((tx + 1) * sx));
        const acc = [0, 0, 0];
        for (let yy = y0; yy < y1; yy++) {
          for (let xx = x0; xx < x1; xx++) {
            const i = (yy * image.width + xx) * c;
            for (let k = 0; k < 3; k++) acc[k] += image.data[i + (c >= 3 ? k : 0)];
          }
        }
        const n = (y1 - y0) * (x1 - x0);
        this.blend(x + tx, y + ty, [acc[0] / n, acc[1] / n, acc[2] / n]);
      }
    }
  }

  /** The raster as PNG file bytes. */
  toPng(): Uint8Array {
    const { PNG } = nodeRequire<typeof PngJs>('pngjs', 'PNG encoding of plots');
    const png = new PNG({ width: this.width, height: this.height });
    png.data = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    return PNG.sync.write(png);
  }
}
