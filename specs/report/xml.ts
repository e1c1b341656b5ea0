/**
 * A tiny XML reader for the JUnit specs, strict where the JUnit writer must be careful: it
 * throws on unbalanced or crossed tags, unquoted or duplicate attributes, a raw `<` or `"` in an
 * attribute, a `&` that is not a known entity, characters XML 1.0 forbids, text outside the root.
 * It knows no comments, CDATA, DOCTYPE or namespaces (the writer uses none).
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  /** The element's own text (its children's not included), entities decoded. */
  text: string;
}

const NAME = '[A-Za-z_][\\w.-]*';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const BAD_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

function decode(s: string, at: number): string {
  if (BAD_ENTITY.test(s)) throw new Error(`unescaped & near offset ${at}: ${JSON.stringify(s.slice(0, 80))}`);
  return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[e] !== undefined) return named[e];
    return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** Parses a whole document (declaration first, one root element); throws on anything not well-formed. */
export function parseXml(xml: string): XmlElement {
  const bad = FORBIDDEN.exec(xml);
  if (bad) throw new Error(`character U+${bad[0].codePointAt(0)!.toString(16).padStart(4, '0')} is not allowed in XML 1.0 (offset ${bad.index})`);
  if (!xml.startsWith(DECLARATION)) throw new Error('missing XML declaration');
  let pos = DECLARATION.length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const openTag = new RegExp(`^<(${NAME})((?:\\s+${NAME}="[^"]*")*)\\s*(/?)>`);
  const closeTag = new RegExp(`^</(${NAME})\\s*>`);
  while (pos < xml.length) {
    const rest = xml.slice(pos);
    if (!rest.startsWith('<')) {
      const end = rest.indexOf('<');
      const raw = end < 0 ? rest : rest.slice(0, end);
      const top = stack[stack.length - 1];
      if (top) top.text += decode(raw, pos);
      else if (raw.trim() !== '') throw new Error(`text outside the root element at offset ${pos}`);
      pos += raw.length;
      continue;
    }
    const close = closeTag.exec(rest);
    if (close) {
      const top = stack.pop();
      if (!top || top.name !== close[1]) throw new Error(`</${close[1]}> at offset ${pos} closes ${top ? `<${top.name}>` : 'nothing'}`);
      pos += close[0].length;
      continue;
    }
    const open = openTag.exec(rest);
    if (!open) throw new Error(`malformed tag at offset ${pos}: ${JSON.stringify(rest.slice(0, 80))}`);
    const attributes: Record<string, string> = {};
    for (const m of open[2]!.matchAll(new RegExp(`(${NAME})="([^"]*)"`, 'g'))) {
      const [, key, value] = m as unknown as [string, string, string];
      if (key in attributes) throw new Error(`duplicate attribute ${key} at offset ${pos}`);
      if (value.includes('<')) throw new Error(`raw < in attribute ${key} at offset ${pos}`);
      attributes[key] = decode(value, pos);
    }
    const element: XmlElement = { name: open[1]!, attributes, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else if (root) throw new Error(`second root element <${element.name}> at offset ${pos}`);
    else root = element;
    if (open[3] !== '/') stack.push(element);
    pos += open[0].length;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every descendant element with this name, in document order. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((c) => [...(c.name === name ? [c] : []), ...findAll(c, name)]);
}
