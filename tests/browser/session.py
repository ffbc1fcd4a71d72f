"""Signing a browser in without the sign-in form, for journeys where signing in is not
the point: the session Django's test client makes, handed to the browser as a cookie."""

from django.conf import settings
from django.test import Client


def sign_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
