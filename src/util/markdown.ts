/**
 * Text for a Markdown table cell: pipes escaped, and HTML characters as entities, since GitHub (the
 * step summary, a PR comment) renders raw HTML from a model spec or a `lang` value in a dataset.
 */
export function markdownCell(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
