// The coaching library: "Clip this" on the call page (the span from the selected words or around
// the player's time), a clip's player (words seek inside the clip), a playlist that plays its clips
// one after the other, and the "Copy link" buttons of these pages.
import { wireCopyButtons } from "/static/js/copy.js";
import { t } from "/static/js/i18n.js";

const fmt = (t) => {
  const s = Math.max(0, t);
  const m = Math.floor(s / 60);
  const rest = (s - m * 60).toFixed(1).padStart(4, "0");
  return `${m}:${rest}`;
};

// "Copy link" buttons.
wireCopyButtons("button.copy-link[data-copy]");

// "Clip this" on the call page.
const form = document.getElementById("clip-form");
if (form) {
  const around = parseFloat(form.dataset.around) || 15;
  const duration = parseFloat(form.dataset.duration) || Infinity;
  const start = document.getElementById("clip-start");
  const end = document.getElementById("clip-end");
  const title = document.getElementById("clip-title");
  const open = () => { document.getElementById("clip-this").open = true; };
  let lastSelection = null;  // a click on the button clears the selection in some browsers: keep the last one
  document.addEventListener("selectionchange", () => {
    const sel = window.getSelection();
    if (sel && sel.rangeCount && !sel.isCollapsed) lastSelection = sel.getRangeAt(0).cloneRange();
  });
  document.getElementById("clip-from-selection")?.addEventListener("click", () => {
    const range = lastSelection;
    const words = range ? [...document.querySelectorAll("#transcript .w")].filter((w) => range.intersectsNode(w)) : [];
    const said = form.querySelector(".hint");
    if (!words.length) {
      said.textContent = t("Select some words of the transcript first (drag across them), then press the button again.");
      return;
    }
    const times = words.map((w) => parseFloat(w.dataset.t)).sort((a, b) => a - b);
    const all = [...document.querySelectorAll("#transcript .w")].map((w) => parseFloat(w.dataset.t)).sort((a, b) => a - b);
    const after = all.find((t) => t > times[times.length - 1]);
    start.value = fmt(times[0]);
    end.value = fmt(Math.min(duration, after ?? times[times.length - 1] + 1.5));
    if (!title.value) title.value = words.map((w) => w.textContent).join(" ").slice(0, 80);
    open();
  });
  document.getElementById("clip-from-player")?.addEventListener("click", () => {
    const player = document.getElementById("player");
    if (!player) return;
    const t = player.currentTime || 0;
    start.value = fmt(Math.max(0, t - around));
    end.value = fmt(Math.min(duration, t + around));
    open();
  });
}

// A clip's page: its words seek inside the clip's own player.
const clipPlayer = document.getElementById("clip-player");
if (clipPlayer) {
  document.addEventListener("click", (e) => {
    const el = e.target.closest("[data-clip-seek]");
    if (!el) return;
    clipPlayer.currentTime = Math.max(0, parseFloat(el.dataset.clipSeek) || 0);
    if (clipPlayer.paused) clipPlayer.play().catch(() => { /* autoplay refused: the time is still set */ });
  });
}

// A playlist: its clips one after the other.
const listPlayer = document.getElementById("playlist-player");
if (listPlayer) {
  const items = [...document.querySelectorAll("#playlist-clips li[data-src]")];
  const now = document.getElementById("now-playing");
  let current = -1;
  const load = (i, play) => {
    if (i < 0 || i >= items.length) return;
    items.forEach((li, k) => li.toggleAttribute("aria-current", k === i));
    current = i;
    listPlayer.src = items[i].dataset.src;
    listPlayer.dataset.index = String(i);
    if (now) now.textContent = items[i].dataset.title;
    if (play) listPlayer.play().catch(() => { /* autoplay refused: press play */ });
  };
  items.forEach((li, i) => li.querySelector(".play-clip")?.addEventListener("click", () => load(i, true)));
  listPlayer.addEventListener("ended", () => load(current + 1, true));
  load(0, false);
}
