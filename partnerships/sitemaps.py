"""The partnerships' section of the sitemap (kopnet/sitemaps.py)."""

from kopnet.sitemaps import RecordSitemap
from partnerships.models import Partnership


class PartnershipSitemap(RecordSitemap):
    model = Partnership
    page = "partnerships:partnership_detail"
    key_field = "reference"
