// Every signed-in page: the unread count on the header's "Mentions" link (GET /v1/notifications).
import { apiGet } from "/static/js/api.js";
import { t } from "/static/js/i18n.js";

const link = document.querySelector('header.top nav a[href="/mentions"]');
if (link) {
  apiGet("/v1/notifications?limit=1").then((found) => {
    if (!found.unread) return;
    const badge = document.createElement("span");
    badge.className = "unread";
    badge.id = "mentions-unread";
    badge.textContent = String(found.unread);
    badge.setAttribute("aria-label", t("%(n)s unread", { n: found.unread }));
    link.append(" ", badge);
  }).catch(() => { /* the count is a convenience: the link works without it */ });
}
