"""Writes the catalogue of country names in each language of the site but English.

django-countries names the countries in English and in many languages, but not in
Indonesian: the filter forms and foreign organisations' pages showed "France" and
"Germany" on Indonesian pages. The names come from the Unicode CLDR through Babel,
keyed by django-countries' English names (the msgids its own catalogues use), and
are written to the second folder of LOCALE_PATHS, apart from the site's messages
(makemessages would drop them from those as unused). Rerun after upgrading
django-countries or Babel; `manage.py compiletranslations` compiles the result.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_countries.data import COUNTRIES

CATALOGUE_FOLDER = Path(settings.BASE_DIR) / "kopnet" / "locale_countries"


def english_name(name):
    """The msgid of a lazily translated name (its text before any translation)."""
    return name._args[0] if hasattr(name, "_args") else str(name)


class Command(BaseCommand):
    help = "Write kopnet/locale_countries/<language>/LC_MESSAGES/django.po from the Unicode CLDR (Babel)."

    def handle(self, *args, **options):
        try:
            from babel import Locale
            from babel.plural import to_gettext
        except ImportError as error:  # a maintenance command: Babel is a development dependency
            raise CommandError("Babel is needed: pip install '.[dev]'") from error
        for code, _label in settings.LANGUAGES:
            if code == "en":
                continue
            locale = Locale.parse(code)
            territories = locale.territories
            catalogue = polib.POFile(wrapwidth=0)
            catalogue.metadata = {
                "Content-Type": "text/plain; charset=UTF-8",
                "Language": code,
                # The language's plural rule, as the site's own catalogue states it.
                "Plural-Forms": to_gettext(locale.plural_form),
                "X-Source": "Unicode CLDR territory names, through Babel (manage.py countrynames)",
            }
            for country, name in sorted(COUNTRIES.items()):
                if country in territories:
                    catalogue.append(polib.POEntry(msgid=english_name(name), msgstr=territories[country]))
            path = CATALOGUE_FOLDER / code / "LC_MESSAGES" / "django.po"
            path.parent.mkdir(parents=True, exist_ok=True)
            catalogue.save(str(path))
            self.stdout.write(f"wrote {len(catalogue)} country names to {path}")
