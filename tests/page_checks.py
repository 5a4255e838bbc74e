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


class _FormReader(HTMLParser):
    """What a browser would submit from the first form whose action contains a path."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.values = action, {}
        self._inside = self._done = False
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and not self._done and self.action in a.get("action", ""):
            self._inside = True
        if not self._inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") != "submit":
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values[name] = a.get("value", "on")
            else:
                self.values[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
                self.values.setdefault(self._select, self._select_first)
            if "selected" in a:
                self.values[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._inside:
            self._inside, self._done = False, True


def form_fields(html: str, action: str) -> dict[str, str]:
    """The values a browser would post from the form posting to ``action``."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader._done, f"no form posting to {action}"
    return reader.values
