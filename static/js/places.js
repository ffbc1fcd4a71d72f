// The place pickers of a cooperative's or partner's form (registry.forms.PlacesFormMixin):
// each list of places (regency/city, district, village) shows the places within the
// one chosen above it, fetched as that choice changes, and a search box narrows it.
// Everything here only helps: without this script the lists hold what the server
// offered (the districts and villages of the saved or sent choice).
(() => {
  "use strict";

  function setup() {
    const selects = [...document.querySelectorAll("select[data-place]")];
    if (!selects.length) return;
    const jq = window.django && window.django.jQuery; // the admin's select2 fires jQuery events

    // The options a list holds now, as [{value, text, group}], to search and restore.
    function read(select) {
      return [...select.options].map((option) => ({
        value: option.value,
        text: option.text,
        group: option.parentElement.tagName === "OPTGROUP" ? option.parentElement.label : "",
      }));
    }

    function write(select, options, chosen) {
      const fragment = document.createDocumentFragment();
      let group = null;
      for (const item of options) {
        const option = new Option(item.text, item.value, false, item.value === chosen);
        if (item.group) {
          if (!group || group.label !== item.group) {
            group = document.createElement("optgroup");
            group.label = item.group;
            fragment.append(group);
          }
          group.append(option);
        } else {
          group = null;
          fragment.append(option);
        }
      }
      select.replaceChildren(fragment);
    }

    function listen(element, handler) {
      if (jq) jq(element).on("change", handler);
      else element.addEventListener("change", handler);
    }

    function announce(select) {
      if (jq) jq(select).trigger("change");
      else select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    for (const select of selects) {
      const form = select.form;
      const above = form && form.elements.namedItem(select.dataset.placeAbove);
      let options = read(select); // as the server wrote them

      // The search box, labelled by the list's own label.
      const label = form && form.querySelector(`label[for="${select.id}"]`);
      const search = document.createElement("input");
      search.type = "search";
      search.className = "form-control form-control-sm mb-1 kn-place-search";
      search.placeholder = select.dataset.placeSearch || "";
      search.setAttribute("aria-label", `${select.dataset.placeSearch || ""} ${label ? label.textContent.trim() : ""}`.trim());
      search.setAttribute("aria-controls", select.id);
      select.before(search);

      search.addEventListener("input", () => {
        const words = search.value.trim().toLowerCase();
        const chosen = select.value;
        const shown = options.filter(
          (item) => !item.value || item.value === chosen || item.text.toLowerCase().includes(words),
        );
        write(select, shown, chosen);
      });

      if (!above) continue;
      let controller = null;
      listen(above, async () => {
        if (controller) controller.abort();
        const code = above.value;
        search.value = "";
        if (!code) {
          options = [{ value: "", text: select.dataset.placeFirst || "", group: "" }];
          write(select, options, "");
          announce(select);
          return;
        }
        controller = new AbortController();
        try {
          const url = new URL(select.dataset.placesUrl, window.location.href);
          url.searchParams.set("within", code);
          const response = await fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } });
          if (!response.ok) throw new Error(String(response.status));
          const body = await response.json();
          const none = { value: "", text: "---------", group: "" };
          options = [none, ...body.results.map((place) => ({ value: place.code, text: place.name, group: "" }))];
        } catch (error) {
          if (error.name === "AbortError") return;
          options = [{ value: "", text: select.dataset.placeFailed || "", group: "" }];
        }
        write(select, options, "");
        announce(select);
      });
    }
  }

  // The admin loads its scripts in the head, before the form.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
