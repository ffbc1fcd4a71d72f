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
