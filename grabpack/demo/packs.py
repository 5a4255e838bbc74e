"""A patient's grab pack, saved through the real grab-pack service one version at a time.

Versions, change notes and audit rows therefore exist as in use (audit rows carry
the time the demo ran: they record when rows were really written). The history
is written in time order, interleaved with the patient's episodes, so an episode
pins the version that was current when the absence was noticed.
"""

from __future__ import annotations

import copy
import random
from datetime import date, datetime, timedelta

from grabpack.demo.chance import phone
from grabpack.demo.context import Demo
from grabpack.demo.data.clinical import REGIMENS
from grabpack.demo.data.pack_texts import DROPPABLE, EDITS
from grabpack.demo.legal import legal_section
from grabpack.demo.photos import demo_photo
from grabpack.demo.places import friend, risk_place
from grabpack.demo.plans import Plan, SavedVersion
from grabpack.demo.profiles import medicine, outfit
from grabpack.demo.versions import plan_risk_change, version_events
from grabpack.domain.mental_health_act import legal_status
from grabpack.domain.review import triggering_change
from grabpack.models import GrabPack, Photo
from grabpack.services.grab_packs import mark_reviewed, pack_for, save_version

Drop = tuple[str, str | None]
PARTIAL_SHARE = 0.35  # packs (other than drafts) started partial and completed later
NEVER_COMPLETED_SHARE = 0.2  # overdue packs whose missing sections were never filled in
STALE_PHOTO_SHARE = 0.2  # first photos carried over from an earlier admission


class PackHistory:
    """The versions planned for one patient, written when the timeline reaches them."""

    def __init__(self, demo: Demo, plan: Plan):
        self.demo, self.plan = demo, plan
        rng = demo.rng
        plan_risk_change(demo, plan)
        self.events = version_events(demo, plan)
        self.full = copy.deepcopy(plan.profile)
        # Drafts stay incomplete; about a third of the others start partial and are completed.
        partial = plan.state == "draft" or (len(self.events) > 1 and rng.random() < PARTIAL_SHARE)
        self.stays_partial = plan.state == "draft" or (
            plan.state == "overdue" and rng.random() < NEVER_COMPLETED_SHARE
        )
        self.dropped = _drops(rng) if partial else []
        if plan.story:  # a story's pack records its whole legal position
            self.dropped = [drop for drop in self.dropped if drop[0] != "legal"]
        self.photo: Photo | None = None
        self.taken_on: date | None = None
        self.previous: dict | None = None
        self.row: GrabPack | None = None  # the pack row, once the first version made it

    def save(self, index: int) -> datetime | None:
        """Write planned save ``index``; return when to review it, if it made the pack due."""
        plan, rng = self.plan, self.demo.rng
        at, what = self.events[index]
        is_last = index == len(self.events) - 1
        self.full["legal"] = legal_section(plan, at)
        self.full["risk"]["missing_risk"] = plan.risk_at(at)
        kind, notes = self._step(at, what)
        if (
            self.dropped
            and not self.stays_partial
            and (is_last or (index > 0 and rng.random() < 0.5))
        ):
            self.dropped, kind = [], "edit"
            notes.append("Completed the remaining sections.")
        data = self._content(at)
        notes = _trigger_notes(self.previous, data) + notes
        if kind == "review" and data != self.previous:
            kind = "edit"
            notes = notes or ["Reviewed; section dates brought up to date."]
        if not notes and kind == "edit":
            notes = [f"{'Legal status' if what == 'legal' else 'Risk'} section reviewed."]
        with_photo = ("photo", None) not in self.dropped
        self._write(data, at, " ".join(notes), kind, self.photo if with_photo else None)
        previous, self.previous = self.previous, data
        if is_last and plan.state != "overdue" and previous and triggering_change(previous, data):
            # A change of legal status or risk makes the pack due at once: review it.
            later = max(at, min(self.demo.now, plan.end) - timedelta(minutes=5))
            return later.replace(microsecond=0)
        return None

    def review(self, at: datetime) -> None:
        """ "Reviewed, no changes": what a ward does when something made the pack due."""
        if self.previous is not None:  # there is a version to review
            self._write(self.previous, at, "", "review", None)

    def review_if_due(self, at: datetime) -> None:
        """Review after an episode closed, if that is what made the pack due.

        A ward already behind on its reviews stays behind; one in date reviews before
        the patient can go missing again, as the protocol asks.
        """
        pack, current = self.row, self.plan.current
        if pack and current and pack.review_due_on and pack.review_due_on < current.review_due_on:
            self.review(at)

    def _step(self, at: datetime, what: str) -> tuple[str, list[str]]:
        """The version's kind and change notes for one planned save."""
        if what == "initial":
            first = "Started on admission; other sections to follow."
            return "edit", [first if self.dropped else "First version."]
        if what == "draft_more":
            self.dropped = _fewer_drops(self.dropped)
            return "edit", ["Added more detail from the admission assessment."]
        if what == "photo":
            self.photo, self.taken_on = demo_photo(self.demo), at.date()
            self.dropped = [drop for drop in self.dropped if drop != ("photo", None)]
            return "edit", ["New photo taken."]
        if what == "review":
            return "review", []
        if what in EDITS:
            return "edit", [_edit(self.demo, self.plan, self.full, what)]
        return "edit", []

    def _content(self, at: datetime) -> dict:
        """The pack as saved: the full profile less what is still left out, with its photo date."""
        rng = self.demo.rng
        with_photo = ("photo", None) not in self.dropped
        if with_photo and self.photo is None:
            self.photo = demo_photo(self.demo)
            stale = rng.random() < STALE_PHOTO_SHARE
            days = self.demo.policy.photo_stale_days + rng.randint(7, 300)
            self.taken_on = at.date() - timedelta(days=days if stale else rng.randint(0, 5))
        data = _apply_drops(self.full, self.dropped)
        if with_photo and self.taken_on is not None:
            data["description"]["photo_taken_on"] = self.taken_on.isoformat()
        return data

    def _write(self, data: dict, at: datetime, note: str, kind: str, photo: Photo | None) -> None:
        """One version through the service; a review is the real "reviewed, no changes" path."""
        plan = self.plan
        author = self.demo.author(plan.ward.code)
        based_on = len(plan.versions)
        if kind == "review":
            version = mark_reviewed(plan.patient, author, based_on=based_on, now=at)
        else:
            version = save_version(
                plan.patient, data, author, based_on=based_on, note=note, photo=photo, now=at
            )
        if self.row is None:
            self.row = pack_for(plan.patient)
            if self.row is not None:  # the pack row's own created_at would be the wall clock
                self.row.created_at = at
        plan.versions.append(SavedVersion(version.review_due_on, data["risk"]["missing_risk"]))


def _edit(demo: Demo, plan: Plan, full: dict, what: str) -> str:
    """Apply one ordinary edit to the pack; return its change note."""
    rng = demo.rng
    if what == "medication":
        return _edit_medication(rng, full["health"]["medications"])
    if what == "places":
        place = risk_place(demo, plan)
        if place["address"] in [p["address"] for p in full["places"]["places"]]:
            return "Reviewed places likely to go; no new places."
        full["places"]["places"].append(place)
        return "Added a risk location to places likely to go."
    if what == "contact":
        full["contacts"]["contacts"].append(friend(rng))
        return "Added a friend as a contact."
    if what == "clothing":
        full["clothing"]["usual_clothing"] = outfit(rng)
        return "Usual clothing updated."
    full["phone"]["mobile_number"] = phone(rng)
    return "New mobile number."


def _edit_medication(rng: random.Random, medicines: list[dict]) -> str:
    """Start an as-needed medicine, or stop it if already taken."""
    started = medicine(rng.choice([row for row in REGIMENS if row[0] == "extra"]))
    if started["name"] in [m["name"] for m in medicines]:
        medicines[:] = [m for m in medicines if m["name"] != started["name"]]
        return f"Medication: stopped {started['name']}."
    medicines.append(started)
    return f"Medication: started {started['name']} {started['dose']}."


def _trigger_notes(previous: dict | None, data: dict) -> list[str]:
    """Change notes for what makes a pack due at once: legal status and risk category."""
    if previous is None:
        return []
    notes = []
    before, after = (legal_status(d["legal"]["legal_status"]) for d in (previous, data))
    if before != after:
        notes.append(f"Legal status changed from {before.label} to {after.label}.")
    before, after = previous["risk"]["missing_risk"], data["risk"]["missing_risk"]
    if before != after:
        notes.append(f"Missing-risk category changed from {before} to {after}.")
    return notes


def _counts(drop: Drop) -> bool:
    """Whether leaving this out makes a pack incomplete (the end of the current period
    does only for the statuses that need it)."""
    return drop[0] not in ("routine", "money", "phone", "legal")


def _drops(rng: random.Random) -> list[Drop]:
    """What a partial pack leaves out: always something that counts for completeness."""
    chosen = rng.sample(DROPPABLE, rng.randint(2, 5))
    if rng.random() < 0.5 or not any(_counts(drop) for drop in chosen):
        chosen.append(("photo", None))
    return chosen


def _fewer_drops(dropped: list[Drop]) -> list[Drop]:
    """Fill in one more part of a draft, leaving it still incomplete."""
    for index in range(len(dropped)):
        rest = dropped[:index] + dropped[index + 1 :]
        if any(_counts(drop) for drop in rest):
            return rest
    return dropped


def _apply_drops(full: dict, dropped: list[Drop]) -> dict:
    """A copy of the full pack without the parts still left out (photo date set later)."""
    data = copy.deepcopy(full)
    data["description"].pop("photo_taken_on", None)
    for section, key in dropped:
        if key is not None:
            data.get(section, {}).pop(key, None)
        elif section != "photo":
            data.pop(section, None)
    return data
