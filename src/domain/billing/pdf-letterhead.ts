/**
 * The practice's letterhead on a billing document (invoice, credit note, statement), so every paper a
 * practice sends looks like it came from the same place: a header band in the primary colour with
 * the logo on a white card, the name, tagline and document title; the practice's contact details and
 * tax ids; a slim running header on continuation pages; a footer with "Page x of y".
 * Drawing only, on a PageFlow (pdf-kit.ts); the data comes from the caller.
 */
import { PDFDocument, rgb, type PDFImage, type PDFPage, type RGB } from 'pdf-lib';
import type { Branding } from '../branding/branding-schemas.ts';
import { HAIRLINE, MUTED, PageFlow, fitBox, standardFonts, type PageSize } from './pdf-kit.ts';
import { hexColor, textColorOn } from './pdf-text.ts';

/** Height of the first page's header band (points). */
export const BAND = 92;
/** Page margin of every billing document (points). */
export const MARGIN = 48;
/** Space for the footer line under the flow (points). */
export const FOOTER = 24;
const RUNNING_HEADER = 36;

export interface LogoBytes {
  readonly bytes: Uint8Array;
  readonly contentType: 'image/png' | 'image/jpeg';
}

export interface TaxId {
  readonly label: string;
  readonly value: string;
}

/** US Letter where it is the norm, A4 elsewhere (by the practice's country, else the document's currency). */
export function pageSizeFor(branding: Branding, currency: string): PageSize {
  const country = branding.address?.country;
  if (country) return ['US', 'CA', 'MX'].includes(country) ? 'letter' : 'a4';
  return ['USD', 'CAD', 'MXN'].includes(currency) ? 'letter' : 'a4';
}

/** A postal address as the lines of an envelope window, empty parts left out. */
export const addressLines = (a: Branding['address']): string[] =>
  a === null ? [] : [a.line1, a.line2 ?? '', [a.city, a.region, a.postalCode].filter(Boolean).join(', '), a.country].filter((l) => l.trim() !== '');

/** The practice's address, phone, email, website and tax ids, one per line. */
export function practiceDetailLines(b: Branding, taxIds: readonly TaxId[]): string[] {
  return [
    ...addressLines(b.address),
    ...(b.phone ? [`Phone: ${b.phone}`] : []),
    ...(b.email ? [`Email: ${b.email}`] : []),
    ...(b.website ? [b.website] : []),
    ...taxIds.map((t) => `${t.label}: ${t.value}`),
  ];
}

/** Embeds the stored logo (PNG or JPEG), or null without one. */
export async function embedLogo(doc: PDFDocument, logo: LogoBytes | null): Promise<PDFImage | null> {
  if (logo === null) return null;
  // A copy of the bytes: pdf-lib's JPEG reader views the underlying buffer from offset 0.
  const bytes = new Uint8Array(logo.bytes);
  return logo.contentType === 'image/png' ? doc.embedPng(bytes) : doc.embedJpg(bytes);
}

/** The first page's header band: logo, name and tagline on the left, the document title on the right. Moves the flow below it. */
export function drawHeaderBand(flow: PageFlow, b: Branding, logo: PDFImage | null, title: string, primary: RGB, onPrimary: RGB): void {
  const { page, fonts } = flow;
  const top = flow.pageHeight;
  page.drawRectangle({ x: 0, y: top - BAND, width: flow.pageWidth, height: BAND, color: primary });
  let x = flow.left;
  if (logo !== null) {
    // On a white card: a logo drawn for a white background stays legible on any brand colour.
    const box = fitBox(logo.width, logo.height, 150, BAND - 32);
    page.drawRectangle({ x, y: top - BAND / 2 - box.height / 2 - 6, width: box.width + 12, height: box.height + 12, color: rgb(1, 1, 1) });
    page.drawImage(logo, { x: x + 6, y: top - BAND / 2 - box.height / 2, width: box.width, height: box.height });
    x += box.width + 12 + 14;
  }
  const titleWidth = fonts.bold.widthOfTextAtSize(title, 22) + 8;
  const nameWidth = flow.right - titleWidth - x;
  const nameTop = b.tagline ? top - BAND / 2 + 16 : top - BAND / 2 + 9;
  flow.textAt(b.displayName, x, nameTop, nameWidth, { font: fonts.bold, size: 18, color: onPrimary });
  if (b.tagline) flow.textAt(b.tagline, x, nameTop - 24, nameWidth, { size: 10, color: onPrimary });
  flow.textAt(title, flow.right - titleWidth, top - BAND / 2 + 11, titleWidth, { font: fonts.bold, size: 22, color: onPrimary }, 'right');
  flow.y = top - BAND - 22;
}

/** The slim band a continuation page starts with: practice name left, `label` right. Moves the flow below it. */
export function drawRunningHeader(flow: PageFlow, practiceName: string, label: string, primary: RGB, onPrimary: RGB): void {
  flow.page.drawRectangle({ x: 0, y: flow.pageHeight - RUNNING_HEADER, width: flow.pageWidth, height: RUNNING_HEADER, color: primary });
  flow.textAt(practiceName, flow.left, flow.pageHeight - 12, flow.width * 0.6, { font: flow.fonts.bold, size: 11, color: onPrimary });
  flow.textAt(label, flow.left + flow.width * 0.6, flow.pageHeight - 13, flow.width * 0.4, { size: 10, color: onPrimary }, 'right');
  flow.y = flow.pageHeight - RUNNING_HEADER - 20;
}

/** The footer of one page: a hairline, `label` on the left, "Page x of y" on the right. */
export function drawPageFooter(flow: PageFlow, page: PDFPage, label: string, index: number, count: number): void {
  const y = MARGIN - 6;
  page.drawLine({ start: { x: flow.left, y: y + 16 }, end: { x: flow.right, y: y + 16 }, thickness: 0.5, color: HAIRLINE });
  flow.textAt(label, flow.left, y + 10, flow.width * 0.7, { size: 8, color: MUTED }, 'left', page);
  flow.textAt(`Page ${index + 1} of ${count}`, flow.left + flow.width * 0.7, y + 10, flow.width * 0.3, { size: 8, color: MUTED }, 'right', page);
}

/** What a document shows beside the practice's details and whom it is for. */
export interface PartiesBlock {
  /** Label and value pairs on the right, e.g. number, date, status. */
  readonly facts: readonly (readonly [string, string])[];
  /** Share of the right column the labels take (the rest is the value, right-aligned). */
  readonly labelShare: number;
  /** Heading of the recipient block, e.g. "BILL TO". */
  readonly heading: string;
  readonly recipient: { readonly name: string; readonly mrn: string; readonly address: Branding['address'] };
}

/**
 * Practice details on the left, the document's facts on the right, then the recipient under a
 * heading in the accent colour. Leaves `flow.y` under the lowest of them.
 */
export function drawParties(flow: PageFlow, b: Branding, taxIds: readonly TaxId[], block: PartiesBlock): void {
  const { fonts } = flow;
  const colWidth = flow.width / 2 - 12;
  const start = flow.y;
  flow.textAt(b.displayName, flow.left, flow.y, colWidth, { font: fonts.bold, size: 11 });
  flow.moveDown(16);
  for (const line of practiceDetailLines(b, taxIds)) {
    flow.textAt(line, flow.left, flow.y, colWidth, { size: 9, color: MUTED });
    flow.moveDown(12.5);
  }
  const leftEnd = flow.y;
  let y = start;
  const x = flow.left + flow.width / 2 + 12;
  for (const [label, value] of block.facts) {
    flow.textAt(label, x, y, colWidth * block.labelShare, { size: 9, color: MUTED });
    flow.textAt(value, x + colWidth * block.labelShare, y, colWidth * (1 - block.labelShare), { font: fonts.bold, size: 9 }, 'right');
    y -= 14;
  }
  flow.y = Math.min(leftEnd, y) - 14;

  flow.textAt(block.heading, flow.left, flow.y, colWidth, { font: fonts.bold, size: 8, color: hexColor(b.accentColor) });
  flow.moveDown(13);
  flow.textAt(block.recipient.name, flow.left, flow.y, colWidth, { font: fonts.bold, size: 11 });
  flow.moveDown(15);
  for (const line of [`MRN: ${block.recipient.mrn}`, ...addressLines(block.recipient.address)]) {
    flow.textAt(line, flow.left, flow.y, colWidth, { size: 9, color: MUTED });
    flow.moveDown(12.5);
  }
}

/** A billing document opened on the letterhead: the first page has its header band drawn. */
export interface LetterheadDocument {
  readonly doc: PDFDocument;
  readonly flow: PageFlow;
  readonly accent: RGB;
}

/**
 * Creates the PDF (metadata, fonts, logo), its page flow with the running header on continuation
 * pages, and draws the header band with `title`; the caller fills the body and saves.
 */
export async function openLetterhead(
  branding: Branding,
  logoBytes: LogoBytes | null,
  options: { readonly title: string; readonly documentName: string; readonly currency: string; readonly continuationLabel: string },
): Promise<LetterheadDocument> {
  const doc = await PDFDocument.create();
  doc.setTitle(`${options.documentName} - ${branding.displayName}`);
  doc.setAuthor(branding.displayName);
  doc.setProducer('HealthTrack');
  doc.setCreator('HealthTrack');
  const fonts = await standardFonts(doc);
  const logo = await embedLogo(doc, logoBytes);
  const primary = hexColor(branding.primaryColor);
  const onPrimary = textColorOn(branding.primaryColor);
  const flow = new PageFlow(doc, fonts, {
    size: pageSizeFor(branding, options.currency),
    margin: MARGIN,
    footer: FOOTER,
    onContinuationPage: (f) => drawRunningHeader(f, branding.displayName, options.continuationLabel, primary, onPrimary),
  });
  drawHeaderBand(flow, branding, logo, options.title, primary, onPrimary);
  return { doc, flow, accent: hexColor(branding.accentColor) };
}
