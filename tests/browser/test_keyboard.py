"""Journey 8 (issue 4 §2): registering a partnership with the keyboard alone.

Every control of the form is reached by Tab, in the order the form reads; the
focused control always shows a ring that stands out from what is behind it; the
organisation picker is used by typing, ArrowDown and Enter; Enter sends the form.
"""

import re

from playwright.sync_api import expect

from partnerships.models import Objective, Partnership
from tests.browser.official_data import cooperatives, database, official, open_as, migrated_data

# Fixtures used by name in the tests below.
__all__ = ["cooperatives", "database", "official", "open_as", "migrated_data"]

# The form's Tab stops, in the order it reads (checkboxes of one list, and the
# segments of a date, are one entry). Radio buttons are one stop per group.
FORM_ORDER = [
    "cooperative",  # your cooperative
    "initiator_role",
    "parties-0-organisation",  # the other party's picker
    "parties-0-role",
    "Tambah pihak lain",
    "Usulkan mitra baru",  # the <summary> of a closed <details>
    "title",
    "description",
    "objectives",
    "fields",
    "start_date",
    "end_date",
    "status",
    "direction",
    "new_entity",  # its fields show once it is ticked
    "value",
    "currency",
    "documents-0-title",
    "documents-0-date",
    "documents-0-file",
    "Tambah dokumen lain",
    "Daftarkan kerjasama",  # submit
]

# What has the focus, where it is, and whether its focus ring shows: an outline of
# at least 2px (or the browser's own ring) whose colour has a contrast of 3:1 or
# more with the background it is drawn on (WCAG 2.2, 2.4.11 and 1.4.11). A date box
# takes one more stop, its calendar button, inside the browser's own shadow tree:
# the box then has no :focus of its own, and Chromium rings the button itself.
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const rgba = (colour) => (colour.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const linear = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  };
  let behind = [255, 255, 255];
  for (let node = element.parentElement; node; node = node.parentElement) {
    const colour = rgba(getComputedStyle(node).backgroundColor);
    if (colour.length === 3 || (colour.length === 4 && colour[3] > 0.5)) { behind = colour.slice(0, 3); break; }
  }
  const ring = rgba(style.outlineColor).slice(0, 3);
  const [light, dark] = [luminance(ring), luminance(behind)].sort((a, b) => b - a);
  const box = element.getBoundingClientRect();
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    name: element.getAttribute("name") || (element.innerText || "").trim().split("\\n")[0],
    inForm: Boolean(element.closest("form[data-partnership-form]")),
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    visible: style.outlineStyle === "auto"
      || (element.type === "date" && !element.matches(":focus"))
      || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 && (light + 0.05) / (dark + 0.05) >= 3),
    top: box.top + window.scrollY,
    left: box.left + window.scrollX,
  };
}"""

# The controls a keyboard must reach: each visible, enabled control of the form
# (one radio button per group; nothing inside a closed <details>).
CONTROLS = """() => {
  const form = document.querySelector("form[data-partnership-form]");
  const seen = new Set();
  return [...form.querySelectorAll("input, select, textarea, button, summary")]
    .filter((c) => c.type !== "hidden" && !c.disabled && c.checkVisibility({ visibilityProperty: true }))
    .filter((c) => c.type !== "radio" || (!seen.has(c.name) && seen.add(c.name)))
    .map((c) => c.type === "radio" ? `radio:${c.name}` : c.id || c.innerText.trim());
}"""


NAME = """() => {
  const element = document.activeElement;
  return element.getAttribute("name") || (element.innerText || "").trim().split("\\n")[0];
}"""


# Note each element as it takes the focus (a date box's day, month and year included).
RECORD = f"""() => {{
  const describe = {FOCUSED};
  window.knFocusStops = [];
  document.addEventListener("focusin", () => window.knFocusStops.push(describe()));
}}"""


def tab_to(page, name, limit=80):
    """Press Tab until the control called `name` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(NAME) == name:
            return
    raise AssertionError(f"Tab never reached {name}")


def test_register_a_partnership_with_the_keyboard_alone(live_server, open_as, cooperatives, official, screen):
    other = cooperatives["other"]
    page = open_as(official)
    page.emulate_media(reduced_motion="reduce")  # no transition caught half-way
    page.goto(live_server.url + "/kerjasama/baru/")

    # 1. Tab from the top of the page to the submit button: every control in turn.
    #    The page notes each control as it takes the focus.
    page.evaluate(RECORD)
    stops = []
    for _ in range(15):
        for _ in range(10):
            page.keyboard.press("Tab")
        stops = page.evaluate("() => window.knFocusStops")
        if any(stop["name"] == FORM_ORDER[-1] for stop in stops):
            break
    else:
        raise AssertionError(f"Tab never reached the submit button: {[stop['name'] for stop in stops]}")
    stops = stops[: [stop["name"] for stop in stops].index(FORM_ORDER[-1]) + 1]
    for stop in stops:
        assert stop["visible"], f"no visible focus on {stop['name']} ({stop['outline']})"
    in_form = [stop for stop in stops if stop["inForm"]]
    order = [stop["name"] for stop in in_form]
    assert [name for i, name in enumerate(order) if i == 0 or name != order[i - 1]] == FORM_ORDER
    reached = {stop["id"] or stop["name"] for stop in in_form} | {
        f"radio:{stop['name']}" for stop in in_form if stop["tag"] == "input" and stop["name"] == "direction"
    }
    controls = page.evaluate(CONTROLS)
    assert len(controls) > len(FORM_ORDER)  # the checkboxes count one by one here
    assert set(controls) <= reached, set(controls) - reached
    # The order reads the page: each stop is below the previous one or to its right.
    for before, after in zip(in_form, in_form[1:]):
        assert after["top"] >= before["top"] - 1 or after["left"] > before["left"], (before["name"], after["name"])

    # 2. Fill the form in again, from the top, without the mouse.
    page.goto(live_server.url + "/kerjasama/baru/")
    tab_to(page, "cooperative")
    expect(page.locator('select[name="cooperative"]')).to_have_value(str(cooperatives["own"].pk))
    # The picker: type part of the name, move down the list, choose with Enter.
    tab_to(page, "parties-0-organisation")
    page.keyboard.type("Makmur")
    picker = page.get_by_role("combobox", name="Koperasi atau mitra").first
    option = page.get_by_role("option", name=re.compile(other.name))
    expect(option).to_be_visible()
    expect(picker).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(picker).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    screen(page, "journey-8-keyboard-picker")
    page.keyboard.press("Enter")
    expect(picker).to_have_value(other.name)
    expect(picker).to_have_attribute("aria-expanded", "false")
    expect(page.locator('input[name="parties-0-organisation_ref"]')).to_have_value(f"cooperative:{other.pk}")
    assert page.url == live_server.url + "/kerjasama/baru/"  # Enter chose; it did not send the form

    tab_to(page, "title")
    page.keyboard.type("Pemasaran bersama dengan papan ketik")
    tab_to(page, "objectives")
    page.keyboard.press("Space")
    # 03/03: the same date whether the browser reads day or month first.
    tab_to(page, "start_date")
    page.keyboard.type("03032026")
    expect(page.locator('input[name="start_date"]')).to_have_value("2026-03-03")
    tab_to(page, "status")
    page.keyboard.type("Berjalan")
    # Suggested from the tiers, never ticked for the official: its button ticks it.
    expect(page.get_by_role("radio", name="Horizontal")).not_to_be_checked()
    tab_to(page, "Pakai saran ini")
    page.keyboard.press("Enter")
    expect(page.get_by_role("radio", name="Horizontal")).to_be_checked()

    # 3. Send it from the submit button with Enter.
    tab_to(page, "Daftarkan kerjasama")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/kerjasama/KS-\d{4}-\d{6}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pemasaran bersama dengan papan ketik")
    partnership = Partnership.objects.get()
    assert partnership.title == "Pemasaran bersama dengan papan ketik"
    assert partnership.initiator == cooperatives["own"]
    assert {party.cooperative for party in partnership.parties.all()} == {cooperatives["own"], other}
    assert partnership.start_date.isoformat() == "2026-03-03"
    assert (partnership.status, partnership.direction) == ("berjalan", "horizontal")
    assert list(partnership.objectives.all()) == [Objective.objects.first()]
    screen(page, "journey-8-keyboard-registered")
