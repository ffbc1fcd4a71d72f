"""The registry's sections of the sitemap (kopnet/sitemaps.py)."""

from kopnet.sitemaps import RecordSitemap
from registry.models import Cooperative, Partner


class CooperativeSitemap(RecordSitemap):
    model = Cooperative
    page = "registry:cooperative_detail"


class PartnerSitemap(RecordSitemap):
    model = Partner
    page = "registry:partner_detail"
