from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class KopnetConfig(AppConfig):
    """Project-wide pieces: shared abstract models, middleware, management commands."""

    name = "kopnet"
    verbose_name = "KopNet"

    def ready(self):
        from kopnet import checks  # noqa: F401  (registers them)
        from kopnet import history  # noqa: F401  (its receiver marks changes made through the API)
        from kopnet import notifications  # noqa: F401  (its sign-in receiver)


class KopnetAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with KopNet's site as `admin.site`: every app's
    registrations land on it, and it asks staff for their second factor."""

    default = False  # "kopnet" in INSTALLED_APPS is KopnetConfig
    default_site = "kopnet.admin_site.KopnetAdminSite"
