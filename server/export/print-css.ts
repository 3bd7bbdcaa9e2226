/**
 * The stylesheet of HTML briefs, for screens and print (A4 or Letter).
 *
 * Print: page numbers come from CSS page-margin boxes (`@bottom-center` with `counter(page)` and
 * `counter(pages)`), which Chromium supports since version 131; PDFs are printed with
 * `preferCSSPageSize`, so the same CSS lays out both. Headings avoid breaks after them and inside
 * them, and paragraphs keep at least two lines at a page end, so a heading never ends a page
 * alone. Margin labels sit in a left column of the body: each label is absolutely positioned with
 * only `left` set, so it stays on the line where its block starts.
 */
import type { PaperSize } from '../../shared/api-export.js'

const PAGE_SIZE: Record<PaperSize, string> = { a4: 'A4', letter: 'letter' }

/** The stylesheet for `paper`. */
export function printCss(paper: PaperSize): string {
  return `
@page {
  size: ${PAGE_SIZE[paper]};
  margin: 20mm 18mm 22mm 18mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font: 9pt/1 system-ui, sans-serif; color: #555; }
}
@page :first { @bottom-center { content: none; } }
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 1.5rem; font: 11pt/1.5 Georgia, "DejaVu Serif", serif; color: #1a1a1a; background: #fff; overflow-wrap: anywhere; }
h1, h2, h3, h4 { font-family: system-ui, "DejaVu Sans", sans-serif; line-height: 1.25; break-after: avoid; page-break-after: avoid; break-inside: avoid; }
h1 { font-size: 1.9em; margin: 0 0 0.6em; }
h2 { font-size: 1.4em; margin: 1.4em 0 0.5em; }
h3 { font-size: 1.2em; margin: 1.2em 0 0.4em; }
h4 { font-size: 1.05em; margin: 1em 0 0.3em; }
p, li { orphans: 2; widows: 2; }
p { margin: 0 0 0.7em; }
blockquote { margin: 0 0 0.8em; padding: 0.1em 0 0.1em 1em; border-left: 3px solid #bbb; color: #333; }
pre { margin: 0 0 0.8em; padding: 0.6em 0.8em; background: #f4f4f4; border-radius: 4px; white-space: pre-wrap; font: 9.5pt/1.4 "DejaVu Sans Mono", monospace; break-inside: avoid; }
a { color: #0b4f8a; }
hr { border: 0; border-top: 1px solid #ccc; margin: 1.2em 0; }
table { border-collapse: collapse; width: 100%; margin: 0 0 1em; font: 9.5pt/1.35 system-ui, "DejaVu Sans", sans-serif; break-inside: auto; }
caption { text-align: left; font-weight: 600; padding: 0.3em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
.cover { min-height: 60vh; break-after: page; page-break-after: always; }
.cover .brief-title { font-size: 2.4em; margin-top: 2em; }
.cover dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3em 1em; font-family: system-ui, "DejaVu Sans", sans-serif; }
.cover dt { font-weight: 600; }
.cover dd { margin: 0; }
.scope { font-style: italic; color: #444; }
.appendix { break-before: page; page-break-before: always; }
.method { font-size: 9pt; color: #444; }
.brief { position: relative; }
.attributed .brief { padding-left: 30mm; }
.attr { position: absolute; left: 0; width: 26mm; text-align: right; font: 7.5pt/1.6 system-ui, "DejaVu Sans", sans-serif; color: #555; white-space: normal; }
.blk-customer > .attr { color: #8a3b00; font-weight: 600; }
.blk-mixed > .attr { color: #5b3a8a; font-weight: 600; }
@media screen and (max-width: 40rem) {
  body { padding: 1rem; }
  .attributed .brief { padding-left: 0; }
  .attr { position: static; display: block; width: auto; text-align: left; }
  .cover { min-height: 0; }
}
`
}
