"""GraphiQL comes from this server's static files: no URL of another host on the page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls.extend(value for name, value in attrs if name in ("src", "href") and value)


def _page(client):
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_the_page_loads_graphiql_from_local_static_files(client, settings):
    html = _page(client)
    parser = _Links()
    parser.feed(html)
    assert parser.urls, "no scripts or stylesheets found"
    for url in parser.urls:
        assert url.startswith(settings.STATIC_URL) or url.startswith("/" + settings.STATIC_URL), url
        path = url.split(settings.STATIC_URL, 1)[1]
        assert finders.find(path), f"{path} is not a static file"
    assert any(url.endswith("graphiql.min.js") for url in parser.urls)
    assert any(url.endswith("react.production.min.js") for url in parser.urls)


def test_the_page_has_no_url_of_an_external_host(client):
    html = _page(client)
    assert re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, flags=re.IGNORECASE) == []
    assert "cdn" not in html.lower()


def test_the_static_files_load_nothing_from_other_hosts():
    for name in ("graphiql.min.css", "graphiql-plugin-explorer.css", "dspex-graphiql.js"):
        text = Path(finders.find(f"graphiql/{name}")).read_text(encoding="utf-8")
        assert re.findall(r"url\(\s*['\"]?(?:https?:)?//", text) == [], name
        assert "@import" not in text, name
        assert "sourceMappingURL" not in text, name  # no missing source maps (collectstatic's manifest)


def test_the_page_is_shown_to_anonymous_browsers_and_sets_the_csrf_cookie(client):
    html = _page(client)
    assert "csrfmiddlewaretoken" in html
    assert "csrftoken" in client.cookies
    assert '<script id="graphiql-options" type="application/json">' in html


def test_a_browser_signed_in_gets_the_same_page(user):
    client = Client()
    client.force_login(user)
    assert "graphiql.min.js" in _page(client)


def test_json_clients_get_json_not_the_page(client):
    response = client.get("/graphql/?raw", HTTP_ACCEPT="text/html")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
