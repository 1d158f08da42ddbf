// The call page: seeking from any moment (brief lines and summary cites, words, questions, timeline...), the played
// word highlighted, the timeline's playhead, keyboard control of the player, copying the follow-up
// e-mail draft, and a reload when a processing call is done. Search: call_search.js.
import { apiGet, clock } from "/static/js/api.js";
import "/static/js/call_search.js";
import { wireCopyButtons } from "/static/js/copy.js";
import { tp } from "/static/js/i18n.js";

const player = document.getElementById("player");
// In time order: a backchannel shown inline inside the other speaker's turn is not in DOM order.
const words = [...document.querySelectorAll("#transcript .w")].sort((a, b) => parseFloat(a.dataset.t) - parseFloat(b.dataset.t));
const starts = Float64Array.from(words, (w) => parseFloat(w.dataset.t));
const playheads = [...document.querySelectorAll(".playhead")];
const svgLane = document.querySelector(".tl-lane");
const duration = parseFloat(document.querySelector(".timeline")?.dataset.duration || "0") || null;
// The brief's chapters: the one being played is marked.
const chapters = [...document.querySelectorAll("#brief .chapter-line")];
const chapterStarts = chapters.map((c) => parseFloat(c.dataset.seek));
let current = -1;
let chapterNow = -1;

function seek(t) {
  if (!player || !Number.isFinite(t)) return;
  player.currentTime = Math.max(0, t);
  if (player.paused) player.play().catch(() => { /* autoplay refused: the time is still set */ });
}

// One listener for every element carrying a moment: words, turn buttons, questions, trackers,
// next steps, suggestion evidence, pinned comments, timeline bars and markers.
document.addEventListener("click", (e) => {
  const el = e.target.closest("[data-seek], .w");
  if (!el) return;
  seek(parseFloat(el.dataset.seek ?? el.dataset.t));
});

function wordAt(t) {
  let lo = 0, hi = starts.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

function onTime() {
  const t = player.currentTime;
  const i = wordAt(t + 0.05);
  if (i !== current) {
    if (current >= 0) words[current].classList.remove("playing");
    if (i >= 0) {
      words[i].classList.add("playing");
      if (document.getElementById("follow")?.checked ?? true) {
        // The transcript box follows the word; the page itself stays where the person put it (a
        // click on a brief line at the top plays without the page jumping down to the transcript).
        const box = document.getElementById("transcript");
        const r = words[i].getBoundingClientRect(), b = box.getBoundingClientRect();
        if (r.top < b.top || r.bottom > b.bottom) box.scrollTop += r.top - b.top - box.clientHeight / 2;
      }
    }
    current = i;
  }
  let c = chapterStarts.length - 1;
  while (c >= 0 && chapterStarts[c] > t + 0.05) c -= 1;
  if (c !== chapterNow) {
    if (chapterNow >= 0) chapters[chapterNow].classList.remove("now");
    if (c >= 0) chapters[c].classList.add("now");
    chapterNow = c;
  }
  const total = player.duration || duration;
  if (total && svgLane) {
    const x = (1000 * t) / total;
    for (const p of playheads) { p.setAttribute("x1", x); p.setAttribute("x2", x); }
  }
}

// The sticky block (player and timeline): its height, for the transcript box and anchors to stay below it.
const block = document.getElementById("player-block");
if (block && getComputedStyle(block).position === "sticky") {
  const setHeight = () => document.documentElement.style.setProperty("--player-h", `${Math.ceil(block.offsetHeight)}px`);
  new ResizeObserver(setHeight).observe(block);
  setHeight();
}

if (player) {
  player.addEventListener("timeupdate", onTime);
  player.addEventListener("seeked", onTime);
  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, textarea, select, button, audio") || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "k") { e.preventDefault(); player.paused ? player.play() : player.pause(); }
    if (e.key === "j") { e.preventDefault(); player.currentTime = Math.max(0, player.currentTime - 5); }
    if (e.key === "l") { e.preventDefault(); player.currentTime += 5; }
  });
  document.getElementById("use-now")?.addEventListener("click", () => {
    document.getElementById("sc-at").value = clock(player.currentTime);
  });
}

// Copy buttons (the follow-up e-mail draft).
wireCopyButtons("button.copy[data-copy]");

// A call still being analysed: follow its progress, then reload to show the analysis.
const status = document.getElementById("call-status");
if (status && (status.dataset.status === "queued" || status.dataset.status === "processing")) {
  const tick = async () => {
    try {
      const call = await apiGet(`/v1/calls/${status.dataset.callId}`);
      const bar = document.getElementById("call-progress");
      if (bar) bar.value = call.progress || 0;
      const step = document.getElementById("call-step");
      if (step) step.textContent = call.progress_step ? tp("analysis step", call.progress_step) : tp("call status", call.status);
      if (call.status === "done" || call.status === "failed") { location.reload(); return; }
    } catch { /* try again */ }
    setTimeout(tick, 1500);
  };
  setTimeout(tick, 1500);
}

// Deleting the call asks first (no inline handlers: CSP).
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

// `/calls/{id}?t=SECONDS` (deal pages, notifications): the page opens with the player at that
// moment and the transcript scrolled to it, the player (sticky) in view. Anything but a number of
// seconds is ignored.
const startAt = /^\d+(\.\d+)?$/.test(new URLSearchParams(location.search).get("t") ?? "")
  ? parseFloat(new URLSearchParams(location.search).get("t")) : null;
if (startAt !== null && Number.isFinite(startAt)) {
  const showWord = () => {
    const i = wordAt(startAt + 0.05);
    if (i >= 0) words[i].scrollIntoView({ block: "center" });
  };
  if (player) {
    player.addEventListener("seeked", showWord, { once: true });
    const go = () => { player.currentTime = startAt; };
    if (player.readyState >= 1) go(); else player.addEventListener("loadedmetadata", go, { once: true });
  } else {
    showWord();
  }
}
