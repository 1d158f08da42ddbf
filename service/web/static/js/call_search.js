// Search inside the call, in the browser: the transcript is on the page. Matches are highlighted in
// the transcript and marked on the timeline ("Matches" lane); Previous/Next (or Enter / Shift+Enter
// in the box) move between them, "3 of 12" says where you are, Escape clears, "/" jumps to the box.
// A match starts at the beginning of a word ("price" finds "pricing", not "caprice"), ignoring case
// and accents. The index (one string of every word, with each word's offset) is built once, when
// the page is idle or at the first search; a search is then one pass of indexOf over that string.
// Each search's time goes to the count's data-ms (read by the tests and bench/web_pages.py).
import { t } from "/static/js/i18n.js";

const MIN_CHARS = 2;
const MAX_MARKED = 5000; // matches highlighted and drawn; more are counted

const input = document.getElementById("search-q");
const box = document.getElementById("transcript");

export function normalize(text) {
  return text.normalize("NFD").replace(/\p{M}+/gu, "").replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"').toLowerCase();
}

function seekTime(el) {
  const t = el.dataset.t ?? el.closest(".turn")?.querySelector("[data-seek]")?.dataset.seek;
  return parseFloat(t || "0");
}

function buildIndex() {
  // Words in time order (a backchannel shown inside the other speaker's turn is not in DOM order);
  // a transcript without word times is searched turn by turn.
  let units = [...box.querySelectorAll(".w")];
  if (units.length) units.sort((a, b) => parseFloat(a.dataset.t) - parseFloat(b.dataset.t));
  else units = [...box.querySelectorAll(".turn p")];
  const offsets = new Int32Array(units.length);
  const times = new Float64Array(units.length);
  const parts = new Array(units.length);
  let pos = 0;
  for (let i = 0; i < units.length; i++) {
    const text = normalize(units[i].textContent.trim());
    offsets[i] = pos;
    times[i] = seekTime(units[i]);
    parts[i] = text;
    pos += text.length + 1;
  }
  return { units, offsets, times, hay: parts.join(" ") };
}

function unitAt(offsets, pos) {
  let lo = 0, hi = offsets.length - 1, found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid] <= pos) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Every match of `query` in the index: [[first unit, last unit], ...] (at most `max`) and the total. */
export function findMatches(index, query, max = MAX_MARKED) {
  const needle = normalize(query.trim()).replace(/\s+/g, " ");
  const hits = [];
  let total = 0;
  if (needle.length < MIN_CHARS) return { hits, total, needle };
  const { hay, offsets } = index;
  let from = 0;
  for (;;) {
    const at = hay.indexOf(needle, from);
    if (at === -1) break;
    if (at > 0 && WORD_CHAR.test(hay[at - 1])) { from = at + 1; continue; }
    total += 1;
    if (hits.length < max) hits.push([unitAt(offsets, at), unitAt(offsets, at + needle.length - 1)]);
    from = at + needle.length;
  }
  return { hits, total, needle };
}

if (input && box) {
  const prev = document.getElementById("search-prev");
  const next = document.getElementById("search-next");
  const count = document.getElementById("search-count");
  const lane = document.getElementById("search-lane");
  const laneParts = document.querySelectorAll(".search-lane");
  const duration = parseFloat(document.querySelector(".timeline")?.dataset.duration || "0");
  let index = null;
  let hits = [];
  let marked = [];
  let current = -1;
  let timer = 0;

  let indexMs = null;
  const ensureIndex = () => {
    if (!index) {
      const started = performance.now();
      index = buildIndex();
      indexMs = performance.now() - started;
    }
    return index;
  };
  if ("requestIdleCallback" in window) requestIdleCallback(ensureIndex, { timeout: 3000 });

  function clearMarks() {
    for (const el of marked) el.classList.remove("hit", "hit-current");
    marked = [];
    hits = [];
    current = -1;
  }

  function drawLane() {
    const show = hits.length > 0 && duration > 0;
    for (const el of laneParts) el.toggleAttribute("hidden", !show);
    if (!lane) return;
    if (!show) { lane.innerHTML = ""; return; }
    const scale = 1000 / duration;
    let svg = "";
    for (let k = 0; k < hits.length; k++) {
      const t = index.times[hits[k][0]];
      svg += `<rect class="match" data-k="${k}" x="${(t * scale - 1.5).toFixed(2)}" y="2" width="3" height="16" data-seek="${t}"></rect>`;
    }
    lane.innerHTML = svg;
    lane.setAttribute("aria-label", t("%(n)s search matches", { n: hits.length }));
  }

  function reveal(el) {
    const b = box.getBoundingClientRect(), r = el.getBoundingClientRect();
    if (r.top < b.top + 4 || r.bottom > b.bottom - 4) box.scrollTop += r.top - b.top - box.clientHeight / 2;
  }

  function select(k) {
    if (!hits.length) return;
    if (current >= 0) for (let i = hits[current][0]; i <= hits[current][1]; i++) index.units[i].classList.remove("hit-current");
    current = (k + hits.length) % hits.length;
    for (let i = hits[current][0]; i <= hits[current][1]; i++) index.units[i].classList.add("hit-current");
    lane?.querySelector(".match.current")?.classList.remove("current");
    lane?.querySelector(`.match[data-k="${current}"]`)?.classList.add("current");
    reveal(index.units[hits[current][0]]);
    status();
  }

  let total = 0;
  function status() {
    const some = hits.length > 0;
    prev.disabled = next.disabled = !some;
    if (!input.value.trim()) count.textContent = "";
    else if (normalize(input.value.trim()).length < MIN_CHARS) count.textContent = t("Type 2 letters or more");
    else if (!some) count.textContent = t("No matches");
    else count.textContent = t("%(current)s of %(total)s", { current: (current + 1).toLocaleString("en"), total: total.toLocaleString("en") }) +
      (total > hits.length ? t(" (first %(shown)s shown)", { shown: hits.length.toLocaleString("en") }) : "");
  }

  function search() {
    const started = performance.now();
    clearMarks();
    const found = findMatches(ensureIndex(), input.value);
    hits = found.hits;
    total = found.total;
    for (const [a, b] of hits) {
      for (let i = a; i <= b; i++) { index.units[i].classList.add("hit"); marked.push(index.units[i]); }
    }
    drawLane();
    if (hits.length) select(0); else status();
    count.dataset.ms = (performance.now() - started).toFixed(2);
    count.dataset.query = input.value;
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 120); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      clearTimeout(timer);
      if (count.dataset.query !== input.value) search();
      else select(current + (e.shiftKey ? -1 : 1));
    } else if (e.key === "Escape") {
      e.preventDefault();
      input.value = "";
      clearTimeout(timer);
      search();
    }
  });
  // The browser's own clear button (the x in a search field) fires "search".
  input.addEventListener("search", () => { clearTimeout(timer); search(); });
  lane?.addEventListener("click", (e) => {  // the global listener seeks; this makes it the current match
    const mark = e.target.closest(".match");
    if (mark) select(parseInt(mark.dataset.k, 10));
  });
  prev.addEventListener("click", () => select(current - 1));
  next.addEventListener("click", () => select(current + 1));
  document.addEventListener("keydown", (e) => {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.closest("input, textarea, select, [contenteditable]")) return;
    e.preventDefault();
    input.focus();
    input.select();
  });
  // For the tests and bench/web_pages.py: one search's time (ms), and the index's one-off build time.
  window.talktrackSearch = {
    search: (q) => { input.value = q; search(); return parseFloat(count.dataset.ms); },
    indexMs: () => indexMs,
  };
}
