from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The open data API (/api/v1/): the top floor, reading through both apps."""

    name = "api"
    verbose_name = _("API")

    def ready(self):
        from api import schema  # noqa: F401 (drf-spectacular finds its extensions by import)
