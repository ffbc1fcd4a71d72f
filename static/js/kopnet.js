// Filter forms: leave empty fields out of the URL, so that shared links stay short.
// The pages work the same without this script; it only tidies the address.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form.kn-filter")) return;
  for (const field of form.elements) {
    if (field.name && field.value === "") field.disabled = true;
  }
});

// Coming back with the browser's back button must find the fields enabled again.
window.addEventListener("pageshow", () => {
  for (const field of document.querySelectorAll("form.kn-filter [disabled]")) field.disabled = false;
});

// Sections that are pages of their own (templates/_deferred_section.html): once the
// page has loaded, each is fetched and its element of the same id put in place of
// the link to it; "kn:deferred" tells the scripts that draw in it. Without this
// script, or when a fetch fails, the link stays.
// The placeholder is busy while it loads (only then: without this script its link is
// all there is, and a busy region may be skipped by a screen reader).
for (const placeholder of document.querySelectorAll("[data-kn-deferred]")) {
  placeholder.setAttribute("aria-busy", "true");
  fetch(placeholder.dataset.knDeferred, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : Promise.reject(new Error(response.statusText))))
    .then((html) => {
      const section = new DOMParser().parseFromString(html, "text/html").getElementById(placeholder.id);
      if (!section) throw new Error(`no #${placeholder.id}`);
      placeholder.replaceWith(section);
      document.dispatchEvent(new CustomEvent("kn:deferred", { detail: section }));
    })
    .catch(() => placeholder.removeAttribute("aria-busy"));
}

// The dashboard's Decline (partnerships/templatetags/dashboard_tags.py): the reason's
// field opens only when Decline is chosen. Without this script it always shows; a form
// sent back with its error keeps it open.
for (const form of document.querySelectorAll("form.kn-decline")) {
  const reason = form.querySelector("textarea");
  const field = reason && reason.closest(".mb-3");
  if (!field || form.querySelector(".invalid-feedback")) continue;
  field.hidden = true;
  form.addEventListener("submit", (event) => {
    if (!field.hidden) return;
    event.preventDefault();
    field.hidden = false;
    reason.focus();
  });
}
