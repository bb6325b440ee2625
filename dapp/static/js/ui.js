// Small DOM helpers: build elements without innerHTML (all text is escaped), progress boxes.

/** h("a", {href: "/x", class: "y"}, "text", child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function $(selector, root = document) { return root.querySelector(selector); }

/** A live region that shows an action's steps, its result or its error in words. */
export class Progress {
  constructor(el) {
    this.el = el;
    el.classList.add("progress");
    el.setAttribute("role", "status");
    el.setAttribute("aria-live", "polite");
  }
  step(text) { this.el.classList.remove("done", "failed"); replace(this.el, text); this.el.dataset.state = "working"; }
  done(...content) { this.el.classList.remove("failed"); this.el.classList.add("done"); replace(this.el, ...content); this.el.dataset.state = "done"; }
  fail(text) { this.el.classList.remove("done"); this.el.classList.add("failed"); replace(this.el, text); this.el.dataset.state = "failed"; this.el.setAttribute("role", "alert"); }
  clear() { replace(this.el); delete this.el.dataset.state; }
}

export function progressBox() {
  return new Progress(h("div", { class: "progress" }));
}

/** Mark the nav link of the current page. */
export function markCurrentNav() {
  for (const link of document.querySelectorAll('nav[aria-label="Main"] a')) {
    if (link.getAttribute("href") === location.pathname) link.setAttribute("aria-current", "page");
  }
}

export function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
