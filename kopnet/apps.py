from django.apps import AppConfig


class KopnetConfig(AppConfig):
    """Project-wide pieces: shared abstract models, middleware, management commands."""

    name = "kopnet"
    verbose_name = "KopNet"
