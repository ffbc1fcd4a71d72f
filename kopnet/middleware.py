from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header


class LanguageMiddleware:
    """Bahasa Indonesia unless the visitor chose English with the language switch.

    Django's LocaleMiddleware would also follow the browser's Accept-Language; the
    registry speaks Indonesian first, so only the explicit choice (the language
    cookie set by the switch) counts. Programs have no switch: below the paths of
    KOPNET_ACCEPT_LANGUAGE_PATHS (the API) the Accept-Language header chooses.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}
        self.header_paths = tuple(settings.KOPNET_ACCEPT_LANGUAGE_PATHS)

    def __call__(self, request):
        by_header = bool(self.header_paths) and request.path_info.startswith(self.header_paths)
        language = self.accepted(request) if by_header else request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language",) if by_header else ("Cookie",))
        return response

    def accepted(self, request):
        """The first language of Accept-Language that KopNet speaks (None: none)."""
        for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
            code = code.split("-")[0].lower()
            if code in self.languages:
                return code
        return None


class PermissionsPolicyMiddleware:
    """Denies every page the browser features KopNet never uses, so that no script
    (ours, a vendored one, or one injected) can ask for them. Only features Chromium
    knows: an unknown one is an error in the console."""

    POLICY = ", ".join(
        f"{feature}=()"
        for feature in (
            "accelerometer", "autoplay", "bluetooth", "camera", "display-capture", "encrypted-media",
            "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi",
            "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial",
            "usb", "xr-spatial-tracking",
        )
    )  # fmt: skip

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.POLICY)
        return response
