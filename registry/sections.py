"""Sections that apps above the registry add to its profile pages.

A cooperative's page shows what only an app above the registry knows (whom it
works with, the picture of that network, partners to suggest), and the registry
imports no app above it: dependencies run one way, like floors of a house. So the
registry offers this hook, as Django's admin offers admin.site.register() and
NetBox its template extensions: an app adds a section for a model in its
AppConfig.ready(); the profile view merges each section's context into the page's,
and the page includes each section's template at its end (or, for a line about the
record itself, under its name), in the order they were added.
"""

from dataclasses import dataclass
from typing import Callable

_sections = {}


@dataclass(frozen=True)
class ProfileSection:
    """A part of a model's profile page.

    `context(request, record)` returns what `template_name` needs, merged into
    the page's context (so its names must not clash with the page's). `place`:
    "end" (after the profile), "heading" (under the record's name) or "head" (in the
    page's <head>: links such as its feeds).
    """

    template_name: str
    context: Callable
    place: str = "end"


PLACES = ("head", "heading", "end")


def add_profile_section(model, template_name, context, place="end"):
    """Add a section to the profile pages of `model`; adding it again changes nothing."""
    if place not in PLACES:
        raise ValueError(f"a profile section goes at one of {PLACES}, not {place!r}")
    sections = _sections.setdefault(model, [])
    if all(section.template_name != template_name for section in sections):
        sections.append(ProfileSection(template_name, context, place))


def profile_sections(model):
    """The sections of the profile pages of `model`, in the order they were added."""
    return list(_sections.get(model, ()))


# --- counts of the lists ------------------------------------------------------------
# An app above the registry may keep counts of the verified records (partnerships keeps
# the statistics' counts up to date in every writing transaction): a visitor's list
# then takes its count from there instead of counting a quarter of a million rows.

_list_counts = {}


def add_list_count(model, count):
    """Offer the lists of `model` a kept count: `count(filters)` returns how many
    verified records match the list's cleaned `filters`, or None when it keeps no
    count for them (the list counts its rows then)."""
    _list_counts[model] = count


def kept_list_count(model, filters):
    count = _list_counts.get(model)
    return count(filters) if count is not None else None
