// The calls library: live status of calls in progress (queued, processing, retrying), and
// drag-and-drop upload with progress.
import { apiGet, clock, csrfToken, detailText } from "/static/js/api.js";
import { t, tp } from "/static/js/i18n.js";

const POLL_MS = 1500;
const IN_PROGRESS = new Set(["queued", "processing", "retrying"]);  // the statuses a call leaves by itself

function statusCell(cell, call) {
  cell.dataset.status = call.status;
  cell.replaceChildren();
  const badge = document.createElement("span");
  badge.className = `badge s-${call.status}`;
  badge.textContent = tp("call status", call.status);
  if (call.status === "retrying") {  // why, and when it runs again (as the page renders it)
    const when = call.retry_at ? ` ${t("Next try at %(time)s UTC.", { time: new Date(call.retry_at).toISOString().slice(11, 19) })}` : "";
    badge.title = `${call.error ? `${call.error}.` : t("The analysis will run again.")}${when}`;
  }
  cell.append(badge);
  if (IN_PROGRESS.has(call.status)) {
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = call.progress || 0;
    bar.setAttribute("aria-label", t("analysis progress"));
    cell.append(" ", bar);
  }
}

async function pollTable() {
  const cells = [...document.querySelectorAll("td.status[data-call-id]")]
    .filter((c) => IN_PROGRESS.has(c.dataset.status));
  for (const cell of cells) {
    try {
      statusCell(cell, await apiGet(`/v1/calls/${cell.dataset.callId}`));
    } catch { /* a transient error: try again next round */ }
  }
  setTimeout(pollTable, POLL_MS);
}

// The table and its count as the server has them now (an upload added a call, or one finished):
// the page is fetched again and its rows swapped in, so the filters and the page number still hold.
let refreshing = Promise.resolve();
function refreshTable() {
  refreshing = refreshing.then(async () => {
    try {
      const r = await fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!r.ok) return;
      const fresh = new DOMParser().parseFromString(await r.text(), "text/html");
      for (const selector of ["p.count", "#calls tbody"]) {
        const now = document.querySelector(selector);
        const next = fresh.querySelector(selector);
        if (now && next) now.replaceWith(document.adoptNode(next));
      }
    } catch { /* the next upload or a reload shows it */ }
  });
  return refreshing;
}

function uploadItem(file) {
  const li = document.createElement("li");
  li.className = "upload";
  const name = document.createElement("span");
  name.className = "upload-name";
  name.textContent = file.name;
  const label = document.createElement("span");
  label.className = "upload-state";
  label.textContent = t("uploading");
  const bar = document.createElement("progress");
  bar.max = 1;
  bar.value = 0;
  bar.setAttribute("aria-label", t("upload of %(name)s", { name: file.name }));
  li.append(name, " ", bar, " ", label);
  document.getElementById("uploads").append(li);
  return { li, bar, label };
}

function upload(file) {
  const ui = uploadItem(file);
  const form = new FormData();
  form.append("file", file);
  form.append("title", file.name.replace(/\.[^.]+$/, ""));
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/v1/calls");
  xhr.setRequestHeader("X-CSRF-Token", csrfToken());
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable) ui.bar.value = e.loaded / e.total;
    ui.label.textContent = t("uploading %(pct)s%%", { pct: Math.round(100 * ui.bar.value) });
  };
  xhr.onerror = () => fail(ui, t("the upload was interrupted (network error)"));
  xhr.onload = () => {
    let body = {};
    try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
    if (xhr.status !== 202) {
      fail(ui, detailText(body.detail) || `${xhr.status} ${xhr.statusText}`);
      return;
    }
    ui.li.dataset.callId = body.id;
    const link = document.createElement("a");
    link.href = `/calls/${body.id}`;
    link.textContent = t("open");
    ui.li.append(" ", link);
    ui.bar.value = 0;
    ui.bar.setAttribute("aria-label", t("analysis of %(name)s", { name: file.name }));
    refreshTable();
    followJob(ui, body.id);
  };
  xhr.send(form);
}

function fail(ui, message) {
  ui.li.classList.add("failed");
  ui.bar.remove();
  ui.label.textContent = message;
  ui.label.setAttribute("role", "alert");
}

async function followJob(ui, id) {
  const started = performance.now();
  for (;;) {
    let call;
    try { call = await apiGet(`/v1/calls/${id}`); } catch { call = null; }
    if (call) {
      ui.bar.value = call.progress || 0;
      const step = call.progress_step ? ` (${tp("analysis step", call.progress_step)})` : "";
      ui.label.textContent = `${tp("call status", call.status)}${step} ${Math.round(100 * ui.bar.value)}% · ${clock((performance.now() - started) / 1000)}`;
      ui.li.dataset.status = call.status;
      if (call.status === "done") {
        await refreshTable();
        ui.label.textContent = tp("call status", "done");
        ui.bar.value = 1;
        return;
      }
      if (call.status === "failed") {
        await refreshTable();
        fail(ui, t("analysis failed: %(error)s", { error: call.error || t("unknown error") }));
        return;
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function setupDropzone() {
  const zone = document.getElementById("dropzone");
  if (!zone) return;
  const input = document.getElementById("file-input");
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    [...e.dataTransfer.files].forEach(upload);
  });
  input.addEventListener("change", () => { [...input.files].forEach(upload); input.value = ""; });
}

setupDropzone();
pollTable();
