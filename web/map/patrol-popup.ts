/**
 * Content of the patrol layers' popups, built from text nodes only (names come from the database
 * and are never parsed as HTML).
 */

/** A popup body: a bold title and plain lines. */
export function popupContent(title: string, lines: string[]): HTMLElement {
  const root = document.createElement('div')
  root.className = 'sg-patrol-popup'
  const strong = document.createElement('strong')
  strong.textContent = title
  root.append(strong)
  for (const line of lines) {
    const div = document.createElement('div')
    div.textContent = line
    root.append(div)
  }
  return root
}
