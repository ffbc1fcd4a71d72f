from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry")

    def ready(self):
        # The access rules of this app's models, registered with kopnet.policy.
        from registry import policy  # noqa: F401
        # Cooperatives and partners may be followed (kopnet.notifications).
        from kopnet.notifications import followable
        from registry.models import Cooperative, Partner

        followable("koperasi", Cooperative, "slug", "registry:cooperative_detail")
        followable("mitra", Partner, "slug", "registry:partner_detail")
