"""The synthetic London dataset behind ``grabpack demo``.

Everything here is invented: trusts, hospitals, wards, staff, patients and
episodes. Only public, organisational facts are real: the Met's basic command
units, postcode districts and a few London landmarks named as places of
concern. Phone numbers are in Ofcom's drama ranges, NHS numbers in the 999
test range, email addresses on example domains, photos are silhouettes, and
every trust carries ``is_synthetic`` so the demo can tell its data from real data.

The data is skewed as real data is: most patients never go
missing, a minority go missing again and again, and a few wards have a month
of ten or more episodes. Packs and episodes go through the real services, in
each patient's time order, so versions, pinned versions, risk-grade history and
audit rows exist as in use.

Deterministic: the same seed and ``now`` give the same dataset.

How it is built (one module a step):

- ``data/``: the invented tables (organisations, ward behaviour, names, texts).
- ``patients``, ``legal``, ``profiles``, ``places``: who is on the wards, their
  sections (counted as the Act counts them) and their full pack content.
- ``stories``: a few patients given a legal story and an absence inside it, so that
  every demo shows each answer police can be given on the power to retake.
- ``timing`` and ``versions``: when each patient went missing and when each pack
  was saved.
- ``packs``, ``episodes``, ``timeline``: writing it all through the services; an
  episode gives police the pack's legal position, or the ward's when the pack's is
  out of date, and a kind of absence that agrees with it.
- ``builder`` runs the steps; ``loader`` guards the database and commits.
"""

from grabpack.demo.loader import DemoRefused, load_demo
from grabpack.demo.organisations import DEMO_PASSWORD, DemoLogin

__all__ = ["DEMO_PASSWORD", "DemoLogin", "DemoRefused", "load_demo"]
