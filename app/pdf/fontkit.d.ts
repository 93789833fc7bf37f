/** The part of fontkit 2 (pdfkit's font engine) that app/pdf/draw.ts uses: parsing a font once. */
declare module "fontkit" {
  /** A parsed font; pdfkit accepts it wherever it takes a font file. */
  export type Font = { layout: (...args: unknown[]) => unknown; postscriptName: string };
  export function create(buffer: Uint8Array, postscriptName?: string): Font;
}
