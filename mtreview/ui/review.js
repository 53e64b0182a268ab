// mtreview review components (Streamlit components v2, inline, no build step).
// Every text from a document or a reviewer is put in the page with textContent: never HTML.
// Offsets sent back to Python are Unicode code points (JS strings count UTF-16 units).

export function cpLength(text) {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

export function utf16ToCp(text, offset) {
  return cpLength(text.slice(0, offset));
}

export function cpToUtf16(text, index) {
  let units = 0;
  let seen = 0;
  for (const ch of text) {
    if (seen >= index) break;
    units += ch.length;
    seen += 1;
  }
  return units;
}

// Code-point offsets where a user-perceived character (grapheme) starts, plus the end.
export function graphemeBounds(text) {
  const bounds = [0];
  if (typeof Intl !== "undefined" && Intl.Segmenter) {
    const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
    let cp = 0;
    for (const part of segmenter.segment(text)) {
      cp += cpLength(part.segment);
      bounds.push(cp);
    }
  } else {
    let cp = 0;
    for (const _ of text) bounds.push(++cp);
  }
  return bounds;
}

// Widen [start, end) to whole graphemes and trim the spaces a double click takes along.
export function snapSpan(text, start, end) {
  const chars = Array.from(text);
  const bounds = graphemeBounds(text);
  let s = 0;
  for (const b of bounds) if (b <= start) s = b;
  let e = chars.length;
  for (let i = bounds.length - 1; i >= 0; i -= 1) if (bounds[i] >= end) e = bounds[i];
  while (s < e && /\s/u.test(chars[s])) s += 1;
  while (e > s && /\s/u.test(chars[e - 1])) e -= 1;
  if (s >= e) return null;
  return { start: s, end: e, text: chars.slice(s, e).join("") };
}

// Pieces of `text` between every mark boundary, each with the marks covering it.
export function pieces(text, marks) {
  const chars = Array.from(text);
  const cuts = new Set([0, chars.length]);
  for (const m of marks) {
    cuts.add(Math.max(0, Math.min(chars.length, m.start)));
    cuts.add(Math.max(0, Math.min(chars.length, m.end)));
  }
  const sorted = Array.from(cuts).sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < sorted.length; i += 1) {
    const [a, b] = [sorted[i], sorted[i + 1]];
    if (a === b) continue;
    out.push({
      start: a,
      end: b,
      text: chars.slice(a, b).join(""),
      marks: marks.filter((m) => m.start <= a && m.end >= b),
    });
  }
  return out;
}

function renderText(target, text, marks, base) {
  for (const piece of pieces(text, marks)) {
    const span = document.createElement("span");
    span.textContent = piece.text;
    span.dataset.cp = String(base + piece.start);
    for (const m of piece.marks) span.classList.add(`mtr-${m.kind}`);
    if (piece.marks.some((m) => m.focus)) span.classList.add("mtr-focus");
    const titles = piece.marks.map((m) => m.label).filter(Boolean);
    if (titles.length) span.title = titles.join("\n");
    target.appendChild(span);
  }
}

// Code-point offset of a DOM boundary (node, offset) inside `root`.
function boundaryOffset(root, node, offset, total) {
  if (!root.contains(node)) {
    const position = root.compareDocumentPosition(node);
    return position & Node.DOCUMENT_POSITION_PRECEDING ? 0 : total;
  }
  if (node.nodeType === Node.TEXT_NODE) {
    const holder = node.parentElement.closest("[data-cp]");
    return Number(holder.dataset.cp) + utf16ToCp(node.textContent, offset);
  }
  const children = Array.from(node.childNodes);
  const next = children[offset];
  if (next && next.nodeType === Node.ELEMENT_NODE && next.dataset.cp !== undefined) {
    return Number(next.dataset.cp);
  }
  return offset >= children.length ? total : 0;
}

function segmentView(component, root, data) {
  const { setTriggerValue } = component;
  const text = data.text || "";
  const total = cpLength(text);
  root.className = "mtr-segment";
  renderText(root, text, data.marks || [], 0);
  const onUp = () => {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(root)) return;
    const a = boundaryOffset(root, range.startContainer, range.startOffset, total);
    const b = boundaryOffset(root, range.endContainer, range.endOffset, total);
    const span = snapSpan(text, Math.min(a, b), Math.max(a, b));
    if (!span) return;
    setTriggerValue("selection", {
      start: span.start,
      end: span.end,
      text: span.text,
      utf16_start: cpToUtf16(text, span.start),
      utf16_end: cpToUtf16(text, span.end),
      segment: data.segment,
    });
  };
  root.addEventListener("mouseup", onUp);
  root.addEventListener("keyup", (event) => {
    if (event.shiftKey) onUp();
  });
  return () => root.removeEventListener("mouseup", onUp);
}

function articleView(component, root, data) {
  const { setTriggerValue } = component;
  root.className = "mtr-article";
  for (const paragraph of data.paragraphs || []) {
    const p = document.createElement("p");
    for (const seg of paragraph) {
      const span = document.createElement("span");
      span.className = "mtr-seg";
      span.dataset.index = String(seg.index);
      span.style.setProperty("--risk", String(seg.risk));
      if (seg.reviewed) span.classList.add("mtr-reviewed");
      if (seg.corrected) span.classList.add("mtr-corrected");
      if (seg.index === data.current) span.classList.add("mtr-current");
      if (seg.hidden) span.classList.add("mtr-dim");
      span.title = seg.title || "";
      renderText(span, seg.text, seg.marks || [], 0);
      span.addEventListener("click", () => {
        const selection = window.getSelection();
        if (selection && !selection.isCollapsed) return;
        setTriggerValue("open", seg.index);
      });
      p.appendChild(span);
      p.appendChild(document.createTextNode(" "));
    }
    root.appendChild(p);
  }
}

// Ctrl+S saves the correction: leave the text box first so Streamlit commits what was
// typed before the button's shortcut runs (a box only commits its value on blur).
function commitBeforeShortcut(event) {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
    const active = document.activeElement;
    if (active && active.tagName === "TEXTAREA") active.blur();
  }
}

export default function (component) {
  const { data, parentElement } = component;
  if (!window.__mtreviewKeys) {
    window.__mtreviewKeys = true;
    window.addEventListener("keydown", commitBeforeShortcut, true);
  }
  let root = parentElement.querySelector(":scope > .mtr-root");
  if (!root) {
    root = document.createElement("div");
    parentElement.appendChild(root);
  }
  root.replaceChildren();
  const inner = document.createElement("div");
  inner.classList.add("mtr-root-inner");
  root.className = "mtr-root";
  root.appendChild(inner);
  if (!data) return undefined;
  return data.mode === "article"
    ? articleView(component, inner, data)
    : segmentView(component, inner, data);
}
