// The call page's comments panel (_comments.html): a comment's moment is the player's time unless
// one is typed, or the span of words selected in the transcript. Seeking from a comment, and
// "?t=SECONDS" in the address, are call.js's.
import { clock } from "/static/js/api.js";

const player = document.getElementById("player");
const at = document.getElementById("cm-at");
const end = document.getElementById("cm-end");
const span = document.getElementById("cm-span");

document.getElementById("cm-now")?.addEventListener("click", () => {
  at.value = clock(player.currentTime);
  end.value = "";
  if (span) span.hidden = true;
});

document.getElementById("comment-form")?.addEventListener("submit", () => {
  if (at && !at.value.trim() && player) at.value = player.currentTime.toFixed(1);
});

// A span selected in the transcript: the comment is about those words.
document.getElementById("transcript")?.addEventListener("mouseup", () => {
  const sel = window.getSelection();
  if (!at || !sel || sel.isCollapsed || !sel.rangeCount) return;
  const range = sel.getRangeAt(0);
  const times = [...document.querySelectorAll("#transcript .w")]
    .filter((w) => range.intersectsNode(w)).map((w) => parseFloat(w.dataset.t)).filter(Number.isFinite);
  if (!times.length) return;
  const from = Math.min(...times), to = Math.max(...times);
  at.value = from.toFixed(1);
  end.value = to > from ? (to + 0.5).toFixed(1) : "";
  if (span) {
    span.textContent = `About the selected words, ${clock(from)}–${clock(to)}.`;
    span.hidden = false;
  }
});
