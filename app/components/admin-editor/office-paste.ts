/**
 * Word puts list items on the clipboard as paragraphs (`<p class=MsoListParagraph style="mso-list:l0
 * level1 lfo1">` with the bullet or number in a `mso-list:Ignore` span), not as `<ul>`/`<ol>`. This
 * rewrites them as real, nested lists before the editor parses the paste, so that lists survive.
 * Headings, links and Google Docs' HTML (real lists already) pass through unchanged.
 */
export function normalizeOfficeHtml(html: string, parser?: Pick<DOMParser, "parseFromString">): string {
  if (!/mso-list|MsoListParagraph/i.test(html)) return html;
  const doc = (parser ?? new DOMParser()).parseFromString(html, "text/html");
  removeComments(doc.body);

  const isListParagraph = (el: Element | null): el is HTMLElement =>
    !!el &&
    el.tagName === "P" &&
    (/mso-list:\s*l\d+/i.test(el.getAttribute("style") ?? "") || /MsoListParagraph/i.test(el.className));

  const groups: HTMLElement[][] = [];
  for (const p of Array.from(doc.body.querySelectorAll("p"))) {
    if (!isListParagraph(p)) continue;
    const group = groups[groups.length - 1];
    if (group && group[group.length - 1] === p.previousElementSibling) group.push(p);
    else groups.push([p]);
  }

  for (const group of groups) {
    const stack: HTMLElement[] = [];
    let root: HTMLElement | null = null;
    for (const p of group) {
      const level = Math.max(1, Number(/level(\d+)/i.exec(p.getAttribute("style") ?? "")?.[1] ?? 1));
      const marker = Array.from(p.querySelectorAll("span")).find((s) =>
        /mso-list:\s*Ignore/i.test(s.getAttribute("style") ?? ""),
      );
      const markerText = (marker?.textContent ?? "").replace(/\u00a0/g, " ").trim();
      marker?.remove();
      const ordered = /^(\d+|[a-z]|[ivxlc]+)[.)]/i.test(markerText);
      while (stack.length > level) stack.pop();
      while (stack.length < level) {
        const list = doc.createElement(ordered ? "ol" : "ul");
        const parent = stack[stack.length - 1];
        if (parent) {
          let lastItem = parent.lastElementChild as HTMLElement | null;
          if (!lastItem) {
            lastItem = doc.createElement("li");
            parent.appendChild(lastItem);
          }
          lastItem.appendChild(list);
        } else {
          root = list;
        }
        stack.push(list);
      }
      const item = doc.createElement("li");
      const paragraph = doc.createElement("p");
      paragraph.innerHTML = p.innerHTML.replace(/^(\s|&nbsp;)+/, "");
      item.appendChild(paragraph);
      stack[stack.length - 1].appendChild(item);
    }
    if (root) group[0].replaceWith(root);
    for (const p of group.slice(1)) p.remove();
  }
  return doc.body.innerHTML;
}

function removeComments(node: Node) {
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === 8) child.parentNode?.removeChild(child);
    else removeComments(child);
  }
}
