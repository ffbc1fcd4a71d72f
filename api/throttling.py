"""How often a client may call the API: KOPNET_API_RATE_ANON requests per client
address when signed out, KOPNET_API_RATE_USER per person with a token or a session
(more: a known client). Counted as the site's other limits are (kopnet.ratelimits:
in the shared cache, every worker together); over it, 429 with Retry-After and a
message in the reader's language. KOPNET_RATE_LIMITS=0 counts and logs only."""

import logging

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from kopnet import ratelimits
from kopnet.clients import anonymous, client_address

log = logging.getLogger(__name__)
# Set on a request counted and allowed: it is not counted again further on.
COUNTED = "_kopnet_api_counted"


class ClientThrottle(BaseThrottle):
    def allow_request(self, request, view):
        if getattr(request, COUNTED, False):
            return True  # counted already, before REST framework (api.caching's early 304)
        if anonymous(request):
            scope, value, rate = "api:address", client_address(request), settings.KOPNET_API_RATE_ANON
        else:
            scope, value, rate = "api:user", str(request.user.pk), settings.KOPNET_API_RATE_USER
        self.retry_after = ratelimits.hit(scope, value, rate)
        if self.retry_after is None:
            setattr(request, COUNTED, True)
            return True
        log.info("API rate limit reached by %s %s", scope, client_address(request))
        return not settings.KOPNET_RATE_LIMITS

    def wait(self):
        return self.retry_after
