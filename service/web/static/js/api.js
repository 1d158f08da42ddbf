// Calls the JSON API with the session cookie; state-changing requests carry the page's CSRF token.
export const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export async function apiGet(path) {
  const r = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!r.ok) throw new Error(await errorText(r));
  return r.json();
}

// The words the API returned for an error (its `detail`), else the status line.
export async function errorText(r) {
  try {
    const body = await r.json();
    return detailText(body.detail) || `${r.status} ${r.statusText}`;
  } catch {
    return `${r.status} ${r.statusText}`;
  }
}

export function detailText(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((d) => d.msg || JSON.stringify(d)).join("; ");
  return detail ? JSON.stringify(detail) : "";
}

export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? `${h}:` : "") + `${mm}:${String(sec).padStart(2, "0")}`;
}
