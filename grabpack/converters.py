"""URL converters: a number in a path is one the database can hold, or no page."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# PostgreSQL's ``integer``, the narrowest column a path number is looked up in
# (grab-pack version numbers, share-link ids). SQLite holds 64 bits.
INTEGER_MAX = 2**31 - 1


class DatabaseInteger(IntegerConverter):
    """``<int:...>`` that matches only numbers an ``integer`` column can hold.

    A bigger number names no row, so it is the 404 any missing version gets.
    Unbounded, it reached the database, which refused it (PostgreSQL beyond 32
    bits, SQLite beyond 64) and the user saw a 500.
    """

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int = INTEGER_MAX,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def init_app(app: Flask) -> None:
    """Before any blueprint: a rule takes its converters when it is added."""
    app.url_map.converters["int"] = DatabaseInteger
