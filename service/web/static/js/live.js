// The live call page: microphone -> AudioWorklet (16 kHz mono s16le, pcm-worklet.js) -> the
// /v1/live WebSocket (authenticated by the session cookie); utterances, talk-track cards and
// running metrics come back as events. Stop sends {"type": "stop"}; on `ended` the page links
// to the stored call, which the server analyses like an upload. The "Language" choice goes in the
// start message's `language` ("default": none, so the organization's default applies).
import { clock } from "./api.js";
import { t } from "./i18n.js";

const config = JSON.parse(document.getElementById("live-config").textContent);
const $ = (id) => document.getElementById(id);
const ui = {
  device: $("live-device"), title: $("live-title"), language: $("live-language"), start: $("live-start"), stop: $("live-stop"),
  level: $("live-level"), clock: $("live-clock"), status: $("live-status"), error: $("live-error"),
  done: $("live-done"), transcript: $("live-transcript"), transcriptEmpty: $("live-transcript-empty"),
  cards: $("live-cards"), cardsEmpty: $("live-cards-empty"), metrics: $("live-metrics"),
};
const BYTES_PER_SECOND = config.start.sample_rate * 2 * config.start.channels;
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024; // a stalled socket: drop audio rather than grow without end

let run = null; // the recording in progress

function setStatus(text) { ui.status.textContent = text; }
function showError(text) { ui.error.textContent = text; }

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

// ---- input devices -------------------------------------------------------------------------

async function listDevices() {
  if (!navigator.mediaDevices?.enumerateDevices) return;
  let devices = [];
  try {
    devices = await navigator.mediaDevices.enumerateDevices();
  } catch {
    return;
  }
  const chosen = ui.device.value;
  // Before the microphone is allowed, browsers hide device ids and labels: only the default then.
  const inputs = devices.filter((d) => d.kind === "audioinput" && d.deviceId && d.deviceId !== "default");
  ui.device.replaceChildren(new Option(t("Default microphone"), ""));
  inputs.forEach((d, i) => ui.device.add(new Option(d.label || t("Microphone %(n)s", { n: i + 1 }), d.deviceId)));
  ui.device.value = [...ui.device.options].some((o) => o.value === chosen) ? chosen : "";
}

// ---- audio ---------------------------------------------------------------------------------

async function openMicrophone(r) {
  const deviceId = ui.device.value;
  r.stream = await navigator.mediaDevices.getUserMedia({
    audio: {
      deviceId: deviceId ? { exact: deviceId } : undefined,
      channelCount: 1,
      // The stored call is analysed offline: capture what the microphone hears, unprocessed.
      echoCancellation: false, noiseSuppression: false, autoGainControl: false,
    },
  });
  listDevices(); // labels are visible now that the microphone is allowed
}

async function startAudio(r) {
  r.ctx = new AudioContext(); // the device's own rate; the worklet resamples to 16 kHz
  await r.ctx.audioWorklet.addModule(config.worklet_url);
  const source = r.ctx.createMediaStreamSource(r.stream);
  r.node = new AudioWorkletNode(r.ctx, "pcm-resampler", {
    numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1],
    processorOptions: { outRate: config.start.sample_rate, frameMs: config.frame_ms },
  });
  r.node.port.onmessage = (event) => onAudio(r, event.data);
  // The node writes silence; connecting it to the output keeps it pulled in every browser.
  source.connect(r.node).connect(r.ctx.destination);
  await r.ctx.resume();
}

function onAudio(r, data) {
  if (data.flushed) {
    r.flushed?.();
    return;
  }
  const db = 20 * Math.log10(Math.max(data.rms, 1e-6));
  ui.level.value = Math.max(0, Math.min(1, (db + 60) / 60));
  ui.level.textContent = `${Math.round(db)} dBFS`;
  if (r.audioClosed || !r.ws || r.ws.readyState !== WebSocket.OPEN) return;
  if (r.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
    r.dropped += data.pcm.byteLength;
    return;
  }
  r.ws.send(data.pcm);
  r.sentBytes += data.pcm.byteLength;
  ui.clock.textContent = clock(r.sentBytes / BYTES_PER_SECOND);
}

function releaseAudio(r) {
  r.audioClosed = true;
  if (r.node) {
    r.node.port.postMessage("stop");
    r.node.disconnect();
  }
  r.stream?.getTracks().forEach((t) => t.stop());
  if (r.ctx && r.ctx.state !== "closed") r.ctx.close().catch(() => {});
  ui.level.value = 0;
  ui.level.textContent = t("silent");
}

// ---- the socket ----------------------------------------------------------------------------

function openSocket(r) {
  return new Promise((resolve, reject) => {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${config.socket_path}`);
    ws.binaryType = "arraybuffer";
    r.ws = ws;
    ws.onopen = () => {
      const title = ui.title.value.trim();
      const language = ui.language?.value || "default";
      ws.send(JSON.stringify({ ...config.start, ...(title ? { title } : {}),
        ...(language !== "default" ? { language } : {}) }));
      resolve(ws);
    };
    ws.onerror = () => reject(new Error(t("Could not connect to Talktrack's live service.")));
    ws.onmessage = (event) => {
      if (typeof event.data === "string") onEvent(r, JSON.parse(event.data));
    };
    ws.onclose = (event) => onClose(r, event);
  });
}

function onEvent(r, ev) {
  switch (ev.type) {
    case "started":
      r.callId = ev.call_id;
      setStatus(t("Listening. Each sentence appears about a second after it ends."));
      break;
    case "utterance":
      addUtterance(ev);
      break;
    case "suggestion":
      addCard(ev);
      break;
    case "metrics":
      showMetrics(ev);
      break;
    case "error":
      showError(ev.message || ev.code);
      break;
    case "warning":  // e.g. storage_behind / storage_caught_up: the call goes on
      setStatus(ev.message || ev.code);
      break;
    case "ended":
      r.ended = true;
      showEnded(ev);
      finish(r);
      break;
    default:
      break;
  }
}

function onClose(r, event) {
  if (r.ended) return;
  if (!ui.error.textContent) {
    showError(r.stopping
      ? t("The connection closed before the call was stored.")
      : t("The live connection closed (%(reason)s).", { reason: event.reason || t("code %(code)s", { code: event.code }) }));
  }
  setStatus(t("Stopped."));
  finish(r);
}

// ---- what comes back -----------------------------------------------------------------------

function speakerName(ev) {
  if (ev.role === "rep") return config.rep_name || t("Rep");
  if (ev.role === "customer") return t("Customer");
  return t("Speaker %(id)s", { id: ev.speaker });
}

function addUtterance(ev) {
  if (!ev.text) return;
  ui.transcriptEmpty.hidden = true;
  const box = ui.transcript;
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  let turn = box.lastElementChild;
  if (!turn || turn.dataset.speaker !== ev.speaker) {
    turn = el("li", `turn sp-${ev.role || "other"}`);
    turn.dataset.speaker = ev.speaker;
    const head = el("p", "turn-head");
    head.append(el("strong", null, speakerName(ev)), " ", el("span", "meta", clock(ev.start)));
    turn.append(head, el("p", "turn-text"));
    box.append(turn);
  }
  const line = el("span", "utt", `${ev.text} `);
  turn.querySelector(".turn-text").append(line);
  for (const q of ev.questions || []) {
    turn.querySelector(".turn-text").append(el("span", `key q-${q.type}`, t(`${q.type.replaceAll("_", "/")} question`)), " ");
  }
  for (const tracker of ev.trackers || []) {
    const label = String(tracker).replace(/[_-]+/g, " ").trim();  // "budget_objection" -> "Budget objection"
    turn.querySelector(".turn-text").append(el("span", "key tracker", label.charAt(0).toUpperCase() + label.slice(1)), " ");
  }
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function addCard(ev) {
  ui.cardsEmpty.hidden = true;
  const card = el("li", `live-card kind-${ev.kind}`);
  const head = el("h3");
  head.append(el("span", null, ev.title), " ", el("span", "meta", clock(ev.at)));
  card.append(head);
  if (ev.text) card.append(el("p", "say", `“${ev.text}”`));
  if (ev.do) card.append(el("p", "do", ev.do));
  if (ev.evidence) {
    const why = el("p", "why");
    why.append(el("strong", null, t("Why:")), " ", ev.evidence);
    card.append(why);
  }
  if (ev.trigger) card.append(el("p", "basis meta", t("Basis: %(trigger)s", { trigger: ev.trigger.replaceAll("_", " ") })));
  ui.cards.prepend(card); // newest first: the card to act on is on top
}

function showMetrics(m) {
  const set = (name, text) => {
    const dd = ui.metrics.querySelector(`[data-metric="${name}"]`);
    if (dd) dd.textContent = text;
  };
  set("talk_ratio", m.talk_ratio === null || m.talk_ratio === undefined ? "-" : `${Math.round(100 * m.talk_ratio)} %`);
  set("questions", t("%(n)s (%(open)s open)", { n: m.questions_rep, open: m.open_questions_rep }));
  set("questions_customer", String(m.questions_customer));
  set("longest_monologue_s", t("%(n)s s", { n: Math.round(m.longest_monologue_s) }));
}

function showEnded(ev) {
  ui.done.replaceChildren();
  if (ev.status === "queued") {
    setStatus(t("Stopped after %(time)s. The call is stored and being analysed.", { time: clock(ev.duration_s) }));
    const link = el("a", null, t("Open the call"));
    link.href = `/calls/${ev.call_id}`;
    ui.done.append(link, " · ");
    const lib = el("a", null, t("Calls library"));
    lib.href = "/";
    ui.done.append(lib);
    ui.done.hidden = false;
    if (document.activeElement === document.body || document.activeElement === ui.stop) link.focus();
  } else if (ev.status === "empty") {
    setStatus(t("Stopped. No audio arrived, so nothing was stored."));
  } else {
    setStatus(t("Stopped."));
    showError(t("The call could not be stored. Please try again."));
  }
}

// ---- start and stop ------------------------------------------------------------------------

function finish(r) {
  releaseAudio(r);
  if (r.ws && r.ws.readyState === WebSocket.OPEN) r.ws.close(1000);
  if (run === r) run = null;
  ui.start.disabled = false;
  ui.stop.disabled = true;
  ui.device.disabled = false;
  ui.title.disabled = false;
  if (ui.language) ui.language.disabled = false;
}

async function start() {
  if (run) return;
  showError("");
  ui.done.hidden = true;
  if (!navigator.mediaDevices?.getUserMedia || !window.AudioWorkletNode) {
    showError(t("This browser cannot stream the microphone here: it needs a current browser, and the page must be served over https (or from localhost)."));
    return;
  }
  const r = { sentBytes: 0, dropped: 0, stopping: false, ended: false, audioClosed: false };
  run = r;
  ui.start.disabled = true;
  ui.device.disabled = true;
  ui.title.disabled = true;
  if (ui.language) ui.language.disabled = true;
  ui.transcript.replaceChildren();
  ui.cards.replaceChildren();
  ui.transcriptEmpty.hidden = false;
  ui.cardsEmpty.hidden = false;
  ui.clock.textContent = "0:00";
  try {
    setStatus(t("Asking for the microphone…"));
    await openMicrophone(r);
    setStatus(t("Connecting…"));
    await openSocket(r);
    await startAudio(r);
    if (r.ended || run !== r) return;
    if (!r.callId) setStatus(t("Starting the transcriber…")); // until the server's `started`
    ui.stop.disabled = false;
    ui.stop.focus();
  } catch (err) {
    const name = err && err.name;
    showError(name === "NotAllowedError"
      ? t("The microphone was not allowed. Allow it in the browser's site settings and press Start again.")
      : name === "NotFoundError" || name === "OverconstrainedError"
        ? t("No such microphone. Choose another input and press Start again.")
        : t("Could not start: %(error)s", { error: err && err.message ? err.message : err }));
    setStatus(t("Ready."));
    finish(r);
  }
}

async function stop() {
  const r = run;
  if (!r || r.stopping) return;
  r.stopping = true;
  ui.stop.disabled = true;
  setStatus(t("Finishing the transcript and storing the call…"));
  if (r.node) {
    // The worklet's last partial frame goes out before `stop`.
    await new Promise((resolve) => {
      r.flushed = resolve;
      r.node.port.postMessage("flush");
      setTimeout(resolve, 500);
    });
  }
  releaseAudio(r);
  if (r.ws && r.ws.readyState === WebSocket.OPEN) r.ws.send(JSON.stringify({ type: "stop" }));
}

ui.start.addEventListener("click", start);
ui.stop.addEventListener("click", stop);
navigator.mediaDevices?.addEventListener?.("devicechange", listDevices);
// Leaving the page ends the call (the server stores what it got); ask first while recording.
window.addEventListener("beforeunload", (event) => {
  if (run && !run.stopping) event.preventDefault();
});
window.addEventListener("pagehide", () => {
  if (run?.ws?.readyState === WebSocket.OPEN) run.ws.send(JSON.stringify({ type: "stop" }));
});
listDevices();
