// The partnership form: organisation pickers, more rows for parties and documents,
// and the suggested direction. Everything here only helps: without this script the
// form still works (the server finds organisations by the names typed).
(() => {
  "use strict";

  const form = document.querySelector("form[data-partnership-form]");
  if (!form) return;
  const messagesElement = document.getElementById("picker-messages");
  const text = messagesElement ? JSON.parse(messagesElement.textContent) : {};
  const say = (template, value) => (template || "").replace("%s", value);
  let pickerCount = 0;

  // --- Organisation picker: the WAI-ARIA 1.2 combobox with a list box -------------

  function setupPicker(root) {
    if (root.dataset.pickerReady) return;
    const input = root.querySelector('input[type="text"]');
    const ref = root.querySelector("[data-picker-ref]");
    // A list of matches offered by the server (radio buttons): leave it as it is.
    if (!input || !ref) return;
    root.dataset.pickerReady = "true";

    const id = input.id || `kn-picker-${++pickerCount}`;
    const list = document.createElement("ul");
    list.id = `${id}-listbox`;
    list.className = "kn-picker-list list-group shadow-sm";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", text.listbox || "");
    list.hidden = true;
    const status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    root.append(list, status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    const types = (root.dataset.types || "").split(" ").filter(Boolean);
    let results = [];
    let active = -1;
    let timer = null;
    let controller = null;

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const options = list.querySelectorAll('[role="option"]');
      if (!options.length) return;
      active = (index + options.length) % options.length;
      options.forEach((option, i) => {
        const selected = i === active;
        option.setAttribute("aria-selected", selected ? "true" : "false");
        option.classList.toggle("active", selected);
      });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      const result = results[index];
      if (!result) return;
      input.value = result.name;
      ref.value = result.value;
      ref.dataset.tier = result.tier || "";
      close();
      status.textContent = say(text.chosen, result.name);
      form.dispatchEvent(new CustomEvent("kn:parties-changed"));
    }

    function show(found) {
      results = found;
      list.replaceChildren();
      found.forEach((result, i) => {
        const option = document.createElement("li");
        option.id = `${list.id}-${i}`;
        option.className = "list-group-item list-group-item-action";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        const name = document.createElement("span");
        name.textContent = result.name;
        const description = document.createElement("small");
        description.className = "d-block kn-picker-description";
        description.textContent = result.description || "";
        option.append(name, description);
        // Keep the focus in the text box: the choice happens on click.
        option.addEventListener("mousedown", (event) => event.preventDefault());
        option.addEventListener("click", () => choose(i));
        list.append(option);
      });
      if (found.length) {
        open();
        status.textContent = say(text.count, found.length);
      } else {
        close();
        status.textContent = text.none || "";
      }
    }

    async function search(query) {
      if (controller) controller.abort();
      controller = new AbortController();
      const url = new URL(root.dataset.searchUrl, window.location.href);
      url.searchParams.set("q", query);
      if (types.length === 1) url.searchParams.set("type", types[0]);
      status.textContent = text.searching || "";
      try {
        const response = await fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } });
        if (response.status === 429) {
          // Too many searches (kopnet/ratelimits.py): say so, and when to try again.
          const refused = await response.json().catch(() => ({}));
          show([]);
          status.textContent = ((refused.errors || {}).__all__ || [text.failed || ""]).join(" ");
          return;
        }
        if (!response.ok) throw new Error(String(response.status));
        const body = await response.json();
        show(body.results || []);
      } catch (error) {
        if (error.name === "AbortError") return;
        show([]);
        status.textContent = text.failed || "";
      }
    }

    input.addEventListener("input", () => {
      // Typing changes the choice: the server will read the name again.
      if (ref.value) {
        ref.value = "";
        ref.dataset.tier = "";
        form.dispatchEvent(new CustomEvent("kn:parties-changed"));
      }
      clearTimeout(timer);
      const query = input.value.trim();
      if (query.length < 2) {
        close();
        return;
      }
      timer = setTimeout(() => search(query), 200);
    });

    input.addEventListener("keydown", (event) => {
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (list.hidden && results.length) open();
          highlight(active + 1);
          break;
        case "ArrowUp":
          event.preventDefault();
          if (list.hidden && results.length) open();
          highlight(active < 0 ? -1 : active - 1);
          break;
        case "Enter":
          // Enter chooses; it submits the form only when no list is open.
          if (!list.hidden && active >= 0) {
            event.preventDefault();
            choose(active);
          }
          break;
        case "Escape":
          if (!list.hidden) {
            event.preventDefault();
            close();
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", close);
  }

  // --- More rows: reveal the blank rows one at a time, then copy the empty row -----

  function setupRows(button) {
    const prefix = button.dataset.formsetAdd;
    const container = document.getElementById(`${prefix}-rows`);
    const template = document.getElementById(`${prefix}-empty`);
    const total = form.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
    const maximum = form.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`);
    if (!container || !template || !total) return;
    container.querySelectorAll("[data-blank]").forEach((row, i) => {
      if (i > 0) row.hidden = true;
    });
    button.hidden = false;
    button.addEventListener("click", () => {
      let row = container.querySelector("[data-blank][hidden]");
      if (row) {
        row.hidden = false;
      } else {
        const count = Number(total.value);
        if (maximum && count >= Number(maximum.value)) return;
        container.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(count)));
        row = container.lastElementChild;
        total.value = String(count + 1);
        row.querySelectorAll("[data-picker]").forEach(setupPicker);
      }
      const first = row.querySelector("input:not([type=hidden]), select");
      if (first) first.focus();
    });
  }

  // --- Direction: suggested from the tiers of the cooperatives named -------------

  const suggestion = document.getElementById("direction-suggestion");
  const suggestionText = document.getElementById("direction-suggestion-text");
  const useSuggestion = document.getElementById("direction-use-suggestion");
  const radios = [...form.querySelectorAll('input[type="radio"][name="direction"]')];

  function tiers() {
    const found = [];
    const own = form.querySelector('select[name="cooperative"]');
    if (own && own.selectedOptions.length && own.selectedOptions[0].dataset.tier) {
      found.push(own.selectedOptions[0].dataset.tier);
    }
    const fixed = document.querySelector("[data-initiator-tier]");
    if (fixed) found.push(fixed.dataset.initiatorTier);
    form.querySelectorAll('[data-picker-ref][name^="parties-"]').forEach((ref) => {
      const row = ref.closest(".kn-party-row");
      const removed = row && row.querySelector('input[type="checkbox"][name$="-DELETE"]:checked');
      if (ref.value.startsWith("cooperative:") && ref.dataset.tier && !removed) found.push(ref.dataset.tier);
    });
    return found;
  }

  // The direction is suggested, never chosen for the user: the suggestion is said
  // beside the field, and its button ticks it only when pressed.
  function suggestDirection() {
    if (!suggestion) return;
    const found = tiers();
    let direction = "";
    if (found.length >= 2) direction = new Set(found).size > 1 ? "vertikal" : "horizontal";
    suggestion.dataset.suggested = direction;
    if (suggestionText) {
      suggestionText.textContent = direction === "vertikal" ? text.vertical : direction === "horizontal" ? text.horizontal : "";
    }
    if (useSuggestion) {
      const chosen = radios.find((radio) => radio.checked);
      useSuggestion.hidden = !direction || (chosen && chosen.value === direction);
    }
  }

  if (useSuggestion) {
    useSuggestion.addEventListener("click", () => {
      const radio = radios.find((candidate) => candidate.value === suggestion.dataset.suggested);
      if (radio) {
        radio.checked = true;
        radio.focus();
      }
      suggestDirection();
    });
  }
  radios.forEach((radio) => radio.addEventListener("change", suggestDirection));

  // --- The new legal entity's fields, shown when the partnership forms one -------

  const newEntity = form.querySelector('input[type="checkbox"][name="new_entity"]');
  const newEntityFields = document.getElementById("new-entity-fields");
  function showNewEntity() {
    if (newEntity && newEntityFields) newEntityFields.hidden = !newEntity.checked;
  }
  if (newEntity) newEntity.addEventListener("change", showNewEntity);
  showNewEntity();

  // A form sent back with errors: take keyboard and screen reader users to the summary.
  const summary = document.getElementById("form-errors");
  if (summary) summary.focus();

  form.querySelectorAll("[data-picker]").forEach(setupPicker);
  form.querySelectorAll("[data-formset-add]").forEach(setupRows);
  form.addEventListener("kn:parties-changed", suggestDirection);
  form.addEventListener("change", (event) => {
    if (event.target.matches('select[name="cooperative"], input[name$="-DELETE"]')) suggestDirection();
  });
  suggestDirection();
})();
