// @mention autocompletion in the comment boxes of the call page (_comments.html). Typing "@" (and the
// start of a name) under the caret lists the matching people of the organization; ArrowUp/ArrowDown
// move, Enter or Tab picks, Escape closes, a click picks. Picking writes "@handle " where the handle is
// the server's (service.domain.mentions.mention_handle): the exact text that names that person alone.
// The textarea keeps the focus and points at the highlighted option (aria-activedescendant, the
// listbox in aria-controls; aria-expanded is not allowed on a textarea); a status line says how many
// people match.
import { t, tn } from "/static/js/i18n.js";

const MAX_SHOWN = 8;
// "@" at the start or after something that is not a word character or "@" (the server's rule), then
// what has been typed of the name so far, up to the caret.
const TRIGGER = /(?:^|[^\p{L}\p{N}_@])@([\p{L}\p{N}_][\p{L}\p{N}_.-]*)?$/u;
const fold = (s) => s.replace(/[\s._-]+/gu, "").toLowerCase();

/** The people (at most `max`) whose name or handle starts with `query`, or one of whose names does. */
export function matchPeople(people, query, max = MAX_SHOWN) {
  const q = fold(query), low = query.toLowerCase();
  const ranked = [];
  for (const p of people) {
    let rank = -1;
    if (fold(p.name).startsWith(q)) rank = 0;
    else if (fold(p.handle).startsWith(q)) rank = 1;
    else if (low && p.name.toLowerCase().split(/\s+/u).some((w) => w.startsWith(low))) rank = 2;
    if (rank >= 0) ranked.push([rank, p]);
  }
  ranked.sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name));
  return ranked.slice(0, max).map(([, p]) => p);
}

export function wireMentionPicker(textareas, people, home) {
  if (!people.length) return;
  const list = document.createElement("ul");
  list.id = "mention-list";
  list.className = "mention-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", t("People to mention"));
  list.hidden = true;
  list.addEventListener("mousedown", (e) => e.preventDefault()); // the textarea keeps the focus (options, scrollbar)
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.id = "mention-status";
  home.append(status);

  let box = null;    // the textarea the list is open for
  let shown = [];    // the people listed
  let active = 0;    // the highlighted one
  let at = -1;       // where the "@" being completed is in box.value
  let dismissed = -1; // Escape closed the list for the "@" at this place

  const close = () => {
    if (box) {
      box.removeAttribute("aria-activedescendant");
      box.removeAttribute("aria-controls");
    }
    list.hidden = true;
    shown = [];
    status.textContent = "";
  };

  const highlight = (i) => {
    active = i;
    [...list.children].forEach((li, k) => li.setAttribute("aria-selected", k === i ? "true" : "false"));
    const li = list.children[i];
    if (li) {
      box.setAttribute("aria-activedescendant", li.id);
      li.scrollIntoView({ block: "nearest" });
    }
  };

  const pick = (i) => {
    const person = shown[i];
    if (!box || !person) return;
    const caret = box.selectionStart;
    const text = `@${person.handle} `;
    box.value = box.value.slice(0, at) + text + box.value.slice(caret);
    const end = at + text.length;
    box.setSelectionRange(end, end);
    close();
    box.focus();
  };

  const open = (textarea, found) => {
    box = textarea;
    shown = found;
    list.replaceChildren(...found.map((p, k) => {
      const li = document.createElement("li");
      li.id = `mention-opt-${k}`;
      li.setAttribute("role", "option");
      const name = document.createElement("span");
      name.className = "mo-name";
      name.textContent = p.name;
      const who = document.createElement("span");
      who.className = "mo-who";
      who.textContent = `@${p.handle} · ${p.who}${p.sees === false ? t(" · cannot see this call (not notified)") : ""}`;
      li.append(name, who);
      li.addEventListener("click", () => pick(k));
      li.addEventListener("mousemove", () => { if (active !== k) highlight(k); });
      return li;
    }));
    if (list.previousElementSibling !== textarea) textarea.after(list);
    list.style.top = `${textarea.offsetTop + textarea.offsetHeight}px`;
    list.hidden = false;
    textarea.setAttribute("aria-controls", list.id);
    highlight(0);
    status.textContent = tn("%(n)s person matches: up and down arrows to choose, Enter to pick, Escape to close.",
      "%(n)s people match: up and down arrows to choose, Enter to pick, Escape to close.", found.length);
  };

  const update = (textarea) => {
    const caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) { close(); return; }
    const m = TRIGGER.exec(textarea.value.slice(0, caret));
    if (!m) { dismissed = -1; close(); return; }
    at = caret - (m[1] || "").length - 1;
    if (at === dismissed) { close(); return; }
    const found = matchPeople(people, m[1] || "");
    if (!found.length) { close(); return; }
    open(textarea, found);
  };

  for (const textarea of textareas) {
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.addEventListener("focus", () => { dismissed = -1; });
    textarea.addEventListener("input", () => update(textarea));
    textarea.addEventListener("click", () => update(textarea));
    textarea.addEventListener("keyup", (e) => {
      if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) update(textarea);
    });
    textarea.addEventListener("blur", () => { if (box === textarea) close(); });
    textarea.addEventListener("keydown", (e) => {
      if (list.hidden || box !== textarea || e.isComposing) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const n = shown.length;
        highlight((active + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
      } else if (e.key === "Enter" || e.key === "Tab") {
        if (e.shiftKey || e.ctrlKey || e.altKey || e.metaKey) return;
        e.preventDefault();
        pick(active);
      } else if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        dismissed = at;
        close();
      }
    });
  }
}
