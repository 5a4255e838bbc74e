"""Checks every HTML page the tests render, as notifications-admin's fixture does:
a meaningful title, no duplicate ids, and forms that say where they post."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.forms: list[dict[str, str | None]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        if tag == "form":
            self.forms.append(attributes)
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def page_problems(path: str, html: str) -> list[str]:
    if not html.lstrip().lower().startswith("<!doctype html"):
        return []  # a fragment fetched by a page's script, not a page
    parser = _PageParser()
    parser.feed(html)
    problems = []
    title = parser.title.strip()
    if not title or title.startswith("–"):
        problems.append(f"{path}: page has no meaningful <title>")
    duplicates = [i for i, n in Counter(parser.ids).items() if n > 1]
    if duplicates:
        problems.append(f"{path}: duplicate ids {duplicates}")
    for form in parser.forms:
        if form.get("method", "get").lower() == "post" and not form.get("action"):
            problems.append(f"{path}: a POST form has no action")
    return problems
