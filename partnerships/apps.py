from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self):
        # The access rules of this app's models, registered with kopnet.policy.
        from partnerships import policy  # noqa: F401
        # Partnerships may be followed (kopnet.notifications).
        from kopnet.notifications import followable
        from partnerships.models import Partnership

        followable("kerjasama", Partnership, "reference", "partnerships:partnership_detail")
        # What a pending change of a verified partnership holds besides its fields
        # (parties, documents, the other parties' answers), registered with kopnet.services.
        from partnerships import services  # noqa: F401
        # The cooperative and partner pages (registry) show partnerships through
        # the hook the registry offers: it cannot import this app.
        from partnerships import sections

        sections.add_to_profiles()
        # What merging a duplicate organisation moves among partnerships (registry.merging).
        from partnerships import merging

        merging.add_merge_steps()
