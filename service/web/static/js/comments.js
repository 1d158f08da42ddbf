// The call page's comments panel (_comments.html): a comment's moment is the player's time unless
// one is typed, or the span of words selected in the transcript; a thread's mark on the timeline
// (Comments lane) shows that thread; "@" in a comment box offers the people to mention
// (mention_picker.js). Seeking from a comment or a mark, and "?t=SECONDS" in the address, are call.js's.
import { clock } from "/static/js/api.js";
import { t } from "/static/js/i18n.js";
import { wireMentionPicker } from "/static/js/mention_picker.js";

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
    span.textContent = t("About the selected words, %(from)s–%(to)s.", { from: clock(from), to: clock(to) });
    span.hidden = false;
  }
});

// A mark on the timeline's Comments lane: the player seeks (call.js) and the thread is shown and
// highlighted below the sticky player.
document.getElementById("comment-marks")?.addEventListener("click", (e) => {
  const mark = e.target.closest("[data-comment]");
  const item = mark && document.getElementById(`c-${mark.dataset.comment}`);
  if (!item) return;
  for (const old of document.querySelectorAll("#threads .cm-focus")) old.classList.remove("cm-focus");
  item.classList.add("cm-focus");
  item.setAttribute("tabindex", "-1");
  item.scrollIntoView({ block: "start" });
  item.focus({ preventScroll: true });
});

// @mentions: the people of the organization the page lists (name, handle, role and team).
const people = document.getElementById("mention-people");
const panel = document.getElementById("comments");
if (people && panel) {
  let list = [];
  try { list = JSON.parse(people.textContent || "[]"); } catch { list = []; }
  wireMentionPicker(panel.querySelectorAll("textarea[name=text]"), list, panel);
}
