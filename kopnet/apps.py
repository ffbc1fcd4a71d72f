from django.apps import AppConfig


class KopnetConfig(AppConfig):
    """Project-wide pieces: shared abstract models, middleware, management commands."""

    name = "kopnet"
    verbose_name = "KopNet"

    def ready(self):
        from kopnet import checks  # noqa: F401  (registers them)
