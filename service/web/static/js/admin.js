// Admin pages: copy a secret shown once, and confirm destructive forms (no inline handlers: CSP).
import { t } from "/static/js/i18n.js";

async function copyText(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    input.focus();
    input.select();
    return document.execCommand("copy");
  }
}

for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const input = document.getElementById(button.dataset.copy);
    const status = document.getElementById(`${button.dataset.copy}-status`);
    const ok = await copyText(input);
    if (status) status.textContent = ok ? t("Copied.") : t("Select the text and copy it (Ctrl+C).");
  });
}

// A secret field selects itself when focused, so it is easy to copy by hand too.
for (const input of document.querySelectorAll("input.secret")) {
  input.addEventListener("focus", () => input.select());
}

for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
