// The page scripts' words in the page's language: base.html puts the table of this language
// (service/web/js_messages.py, from the catalogue) into the page as <script id="i18n">; an English
// page has none, and a message missing from the table stays as the script wrote it.
const table = (() => {
  try { return JSON.parse(document.getElementById("i18n")?.textContent || "{}"); } catch { return {}; }
})();

const fill = (text, vars) => text.replace(/%\((\w+)\)[sd]|%%/g, (whole, name) =>
  name === undefined ? "%" : (name in vars ? String(vars[name]) : whole));

/** `message` (its English, as marked in js_messages.py) in the page's language, `%(name)s` filled from `vars`. */
export function t(message, vars = {}) {
  return fill(table[message] ?? message, vars);
}

/** A count's message: `one` for 1, else `many` (English's rule; the table holds each form's text); `n` is filled in. */
export function tn(one, many, n, vars = {}) {
  return t(n === 1 ? one : many, { n, ...vars });
}

/** A code shown as a word (pgettext): "done" as a call status. */
export function tp(context, code) {
  return table[`${context}\u0004${code}`] ?? code;
}
