/**
 * Layout primitives for paged billing documents (invoices, credit notes, patient statements) on
 * pdf-lib: a flow that moves down the page and starts a new one when content does not fit, text
 * blocks, tables whose rows break across pages with the header repeated, and a final pass that
 * stamps every page (footers with "Page x of y", watermarks). Nothing here knows about invoices.
 * All text goes through pdf-text.ts, so no caller can crash the renderer with an unencodable name.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import { fitText, pdfSafeText, wrapText } from './pdf-text.ts';

export interface Fonts {
  readonly regular: PDFFont;
  readonly bold: PDFFont;
}

/** Points (1/72 inch). */
export const PAGE_SIZES = { letter: [612, 792], a4: [595.28, 841.89] } as const satisfies Record<string, readonly [number, number]>;
export type PageSize = keyof typeof PAGE_SIZES;

export const INK = rgb(0.13, 0.13, 0.13);
export const MUTED = rgb(0.42, 0.42, 0.42);
export const HAIRLINE = rgb(0.82, 0.82, 0.82);

export type Align = 'left' | 'right';

export interface TextStyle {
  readonly font?: PDFFont;
  readonly size?: number;
  readonly color?: RGB;
}

export interface TableColumn {
  readonly header: string;
  /** Share of the table width (weights, not points). */
  readonly weight: number;
  readonly align?: Align;
}

export interface TableStyle {
  readonly size: number;
  readonly headerFill: RGB;
  readonly headerText: RGB;
  /** Fill of every other row, or none. */
  readonly stripe?: RGB;
}

export interface FlowOptions {
  readonly size: PageSize;
  readonly margin: number;
  /** Space kept free at the bottom of every page for the footer. */
  readonly footer: number;
  /** Draws what every page after the first starts with (a running header) and moves the flow below it. */
  readonly onContinuationPage?: (flow: PageFlow) => void;
}

/** Embeds Helvetica and Helvetica Bold (standard fonts: nothing to ship, WinAnsi text only). */
export async function standardFonts(doc: PDFDocument): Promise<Fonts> {
  return { regular: await doc.embedFont(StandardFonts.Helvetica), bold: await doc.embedFont(StandardFonts.HelveticaBold) };
}

/** Scales `width` × `height` down (never up) to fit in `maxWidth` × `maxHeight`, keeping the aspect ratio. */
export function fitBox(width: number, height: number, maxWidth: number, maxHeight: number): { width: number; height: number } {
  const scale = Math.min(1, maxWidth / width, maxHeight / height);
  return { width: width * scale, height: height * scale };
}

const LEADING = 1.3;

/** A cursor moving down the pages of `doc`; `y` is the top of the next thing drawn. */
export class PageFlow {
  page: PDFPage;
  y: number;
  readonly pages: PDFPage[] = [];

  constructor(readonly doc: PDFDocument, readonly fonts: Fonts, readonly options: FlowOptions) {
    this.page = this.newPage();
    this.y = this.top;
  }

  get pageWidth(): number {
    return PAGE_SIZES[this.options.size][0];
  }
  get pageHeight(): number {
    return PAGE_SIZES[this.options.size][1];
  }
  get top(): number {
    return this.pageHeight - this.options.margin;
  }
  get bottom(): number {
    return this.options.margin + this.options.footer;
  }
  get left(): number {
    return this.options.margin;
  }
  get right(): number {
    return this.pageWidth - this.options.margin;
  }
  get width(): number {
    return this.right - this.left;
  }

  private newPage(): PDFPage {
    const page = this.doc.addPage([...PAGE_SIZES[this.options.size]]);
    this.pages.push(page);
    return page;
  }

  /** Starts a new page (with the running header when there is one). */
  breakPage(): void {
    this.page = this.newPage();
    this.y = this.top;
    this.options.onContinuationPage?.(this);
  }

  /** Makes sure `height` points fit above the footer; starts a new page when they do not. Returns whether it did. */
  ensure(height: number): boolean {
    if (this.y - height >= this.bottom) return false;
    this.breakPage();
    return true;
  }

  moveDown(points: number): void {
    this.y -= points;
  }

  lineHeight(size: number): number {
    return size * LEADING;
  }

  /** Draws one line with its top at `top` (default: the flow's y), clipped with "…" to `width`. Does not move the flow. */
  textAt(text: string, x: number, top: number, width: number, style: TextStyle = {}, align: Align = 'left', page: PDFPage = this.page): void {
    if (text === '') return;
    const font = style.font ?? this.fonts.regular;
    const size = style.size ?? 10;
    const line = fitText(font, size, text, width);
    const dx = align === 'right' ? width - font.widthOfTextAtSize(line, size) : 0;
    page.drawText(line, { x: x + dx, y: top - size, size, font, color: style.color ?? INK });
  }

  /** Draws wrapped text from the flow's y in a column, breaking pages between lines; moves the flow below it. */
  paragraph(text: string, style: TextStyle = {}, x = this.left, width = this.right - x): void {
    const font = style.font ?? this.fonts.regular;
    const size = style.size ?? 10;
    for (const line of wrapText(font, size, text, width)) {
      this.ensure(this.lineHeight(size));
      this.page.drawText(line, { x, y: this.y - size, size, font, color: style.color ?? INK });
      this.y -= this.lineHeight(size);
    }
  }

  /** A horizontal rule across the column at the flow's y. */
  rule(color: RGB = HAIRLINE, thickness = 0.75, x = this.left, width = this.right - x): void {
    this.page.drawLine({ start: { x, y: this.y }, end: { x: x + width, y: this.y }, thickness, color });
  }

  /**
   * A table across the column: cells wrap inside their column, a row that does not fit goes to the
   * next page, and every page the table reaches starts with the header again.
   */
  table(columns: readonly TableColumn[], rows: readonly (readonly string[])[], style: TableStyle): void {
    const pad = 4;
    const total = columns.reduce((s, c) => s + c.weight, 0);
    const widths = columns.map((c) => (this.width * c.weight) / total);
    const xs = widths.map((_, i) => this.left + widths.slice(0, i).reduce((s, w) => s + w, 0));
    const lh = this.lineHeight(style.size);
    const headerHeight = lh + 2 * pad;
    const cellLines = (row: readonly string[]) =>
      row.map((cell, i) => (columns[i]!.align === 'right' ? [pdfSafeText(cell)] : wrapText(this.fonts.regular, style.size, cell, widths[i]! - 2 * pad)));
    const header = () => {
      this.page.drawRectangle({ x: this.left, y: this.y - headerHeight, width: this.width, height: headerHeight, color: style.headerFill });
      columns.forEach((c, i) => this.textAt(c.header, xs[i]! + pad, this.y - pad, widths[i]! - 2 * pad, { font: this.fonts.bold, size: style.size, color: style.headerText }, c.align));
      this.y -= headerHeight;
    };
    const first = rows[0] ? Math.max(...cellLines(rows[0]).map((l) => l.length)) * lh + 2 * pad : 0;
    this.ensure(headerHeight + first);
    header();
    rows.forEach((row, r) => {
      const lines = cellLines(row);
      const height = Math.max(1, ...lines.map((l) => l.length)) * lh + 2 * pad;
      if (height > this.y - this.bottom) {
        this.breakPage();
        header();
      }
      if (style.stripe && r % 2 === 1) this.page.drawRectangle({ x: this.left, y: this.y - height, width: this.width, height, color: style.stripe });
      lines.forEach((cell, i) => {
        cell.forEach((line, k) => this.textAt(line, xs[i]! + pad, this.y - pad - k * lh, widths[i]! - 2 * pad, { size: style.size }, columns[i]!.align));
      });
      this.y -= height;
      this.rule(HAIRLINE, 0.5);
    });
  }

  /** Runs `stamp` on every page once the content is complete (footers with page counts, watermarks). */
  stampPages(stamp: (page: PDFPage, index: number, count: number) => void): void {
    this.pages.forEach((page, i) => stamp(page, i, this.pages.length));
  }
}
