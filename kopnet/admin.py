"""The admin site's name: Dekopin's curators work here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("KopNet — Dekopin")
admin.site.site_title = _("KopNet — Dekopin")
admin.site.index_title = _("Registry administration")
admin.site.enable_nav_sidebar = False  # seven models: the width goes to the lists
