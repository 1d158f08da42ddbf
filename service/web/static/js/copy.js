// "Copy" buttons (the follow-up e-mail draft, share links): the clipboard API, else the field
// selected for Ctrl+C. A button names its field in data-copy; a .copy-status beside it says which.
import { t } from "/static/js/i18n.js";

export function wireCopyButtons(selector) {
  for (const button of document.querySelectorAll(selector)) {
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      const said = button.parentElement.querySelector(".copy-status");
      let copied = false;
      try {
        await navigator.clipboard.writeText(field.value);
        copied = true;
      } catch {
        field.focus();
        field.select();
        copied = document.execCommand?.("copy") ?? false;
      }
      if (said) said.textContent = copied ? t("Copied.") : t("Selected: press Ctrl+C (or ⌘C) to copy.");
    });
  }
}
