"""Sections that apps above the registry add to its profile pages.

A cooperative's page shows what only an app above the registry knows (whom it
works with, the picture of that network, partners to suggest), and the registry
imports no app above it: dependencies run one way, like floors of a house. So the
registry offers this hook, as Django's admin offers admin.site.register() and
NetBox its template extensions: an app adds a section for a model in its
AppConfig.ready(); the profile view merges each section's context into the page's,
and the page includes each section's template at its end, in the order they were
added.
"""

from dataclasses import dataclass
from typing import Callable

_sections = {}


@dataclass(frozen=True)
class ProfileSection:
    """A part of a model's profile page.

    `context(request, record, page)` returns what `template_name` needs, merged into
    the page's context (so its names must not clash with the page's); `page` is the
    page's context so far, e.g. a cooperative's `above_ids`, the federations it
    belongs to directly or through others.
    """

    template_name: str
    context: Callable


def add_profile_section(model, template_name, context):
    """Add a section to the profile pages of `model`; adding it again changes nothing."""
    sections = _sections.setdefault(model, [])
    if all(section.template_name != template_name for section in sections):
        sections.append(ProfileSection(template_name, context))


def profile_sections(model):
    """The sections of the profile pages of `model`, in the order they were added."""
    return list(_sections.get(model, ()))
