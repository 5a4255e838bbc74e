"""The edit form's mechanics that are not validation: adding and removing entries
of repeatable groups without losing what was typed, turning a posted form into
the save service's ``Submission`` and its answer back into a form, and carrying
an uploaded photo across every form shown again instead of saved (a conflict, an
Add or Remove button, a mistake to correct) without trusting the browser with a
raw photo id."""

from __future__ import annotations

import re
import uuid

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.datastructures import FileStorage, MultiDict

from grabpack.domain.diff import SectionDiff, diff_versions
from grabpack.domain.grab_pack_schema import GRAB_PACK, Group
from grabpack.models import GrabPack, Photo
from grabpack.packs.forms import from_data, grab_pack_form_class, to_data
from grabpack.services.grab_packs import (
    KEEP_PHOTO,
    CarriedPhoto,
    Conflict,
    NewPhoto,
    PhotoChoice,
    Submission,
    new_submission_id,
    version,
)
from grabpack.services.photos import PhotoError, store_photo
from grabpack.transactions import saving

PHOTO_NOT_KEPT = "The photo you chose was not saved: choose it again"

GROUPS = {
    f"{s.key}-{item.key}": item for s in GRAB_PACK for item in s.items if isinstance(item, Group)
}


def requested_change(formdata: MultiDict) -> tuple[str, str, int | None] | None:
    """``("add", "contacts-contacts", None)`` or ``("remove", "contacts-contacts", 2)``
    when the nurse pressed an add or remove button rather than Save."""
    if (group := formdata.get("add")) in GROUPS:
        return ("add", group, None)
    match = re.fullmatch(r"([a-z_]+-[a-z_]+)-(\d+)", formdata.get("remove", ""))
    if match and match.group(1) in GROUPS:
        return ("remove", match.group(1), int(match.group(2)))
    return None


def without_entry(formdata: MultiDict, group: str, index: int) -> MultiDict:
    """The form data minus one group entry; WTForms keeps the other indices as they are."""
    prefix = f"{group}-{index}-"
    return MultiDict(
        [
            (k, v)
            for k, v in formdata.items(multi=True)
            if not k.startswith(prefix) and k not in ("add", "remove")
        ]
    )


def add_entry(form, group: str) -> None:
    section_key, group_key = group.split("-", 1)
    field_list = form[section_key].form[group_key]
    if len(field_list.entries) < GROUPS[group].max_items:
        field_list.append_entry()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="pending-photo")


def sign_pending_photo(photo_id: int, patient_id: uuid.UUID) -> str:
    return _serializer().dumps({"photo": photo_id, "patient": str(patient_id)})


def read_pending_photo(token: str, patient_id: uuid.UUID) -> int | None:
    """The photo id a conflict page carried, if the token is ours and for this patient."""
    if not token:
        return None
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    if payload.get("patient") != str(patient_id):
        return None
    return int(payload["photo"])


def keep_upload(form, upload: FileStorage | None, patient_id: uuid.UUID) -> None:
    """Keep a photo chosen on a form that is shown again instead of saved: stored
    now and carried in ``pending_photo``, so that the next Save saves it (the page
    says so). A file we do not accept, or a database too busy to store it, is said
    on the photo field: nothing chosen is dropped without a word."""
    if not photo_chosen(upload):
        return
    with saving(None, PhotoError) as outcome:
        photo = store_photo(upload.read())
    if outcome.saved:
        carry_photo(form, photo, patient_id)
    else:
        _photo_error(form, PHOTO_NOT_KEPT if outcome.busy else outcome.refusal)


def after_refusal(
    form, upload: FileStorage | None, stored: Photo | None, patient_id: uuid.UUID
) -> None:
    """The photo on a form the save service refused, or could not reach: carried if
    the refusal kept it; otherwise a new upload went with the refused transaction,
    and the page says to choose it again. One carried from before stays carried."""
    if stored is not None:
        carry_photo(form, stored, patient_id)
    elif photo_chosen(upload) and not form.photo.errors:
        _photo_error(form, PHOTO_NOT_KEPT)


def carry_photo(form, photo: Photo, patient_id: uuid.UUID) -> None:
    """Carry ``photo`` to the next save. The upload beat the "Remove the photo" box
    on the form that sent it, so the box is cleared rather than left to remove it."""
    form.pending_photo.data = sign_pending_photo(photo.id, patient_id)
    form.remove_photo.data = False


def photo_chosen(upload: FileStorage | None) -> bool:
    """Whether the form sent a photo file (not yet checked or stored)."""
    return upload is not None and bool(getattr(upload, "filename", ""))


def _photo_error(form, message: str) -> None:
    form.photo.errors = [*form.photo.errors, message]


# --- the form and the save service --------------------------------------------------------


def submission(form, patient_id: uuid.UUID) -> Submission:
    """What a validated edit form asks the save service to do."""
    return Submission(
        data=to_data(form),
        based_on=int(form.based_on.data or 0),
        submission_id=form.submission_id.data or "",
        note=form.change_note.data or "",
        photo=_photo_choice(form, patient_id),
    )


def _photo_choice(form, patient_id: uuid.UUID) -> PhotoChoice:
    """A new upload, else removal, else one carried from a form shown before, else
    keep. Removal beats a carried photo: the box was ticked on the page that said a
    new photo was chosen, so the nurse meant that one too."""
    upload = form.photo.data
    if photo_chosen(upload):
        return NewPhoto(upload.read())
    if form.remove_photo.data:
        return None
    if photo_id := read_pending_photo(form.pending_photo.data, patient_id):
        return CarriedPhoto(photo_id)
    return KEEP_PHOTO


def new_form(data: dict, based_on: int):
    """A fresh edit form holding ``data``, to be saved on top of version ``based_on``."""
    form = grab_pack_form_class()(formdata=None, data=from_data(data))
    form.based_on.data = str(based_on)
    form.submission_id.data = new_submission_id()
    return form


def conflict_form(sent, conflict: Conflict, patient_id: uuid.UUID):
    """The nurse's entries on top of the version now current, with their note and
    photo choice carried over, as a new form (a new one-time id: the next Save is
    a new submission)."""
    form = new_form(conflict.merged, conflict.theirs.number)
    form.change_note.data = sent.change_note.data
    if isinstance(conflict.photo, Photo):
        form.pending_photo.data = sign_pending_photo(conflict.photo.id, patient_id)
    form.remove_photo.data = conflict.photo is None
    return form


def typed_changes(form, pack: GrabPack | None) -> list[SectionDiff]:
    """What a sent pack form changes, field by field, from the version it was based
    on: shown back when it cannot be saved (the patient was discharged meanwhile), so
    that nothing typed is lost without the nurse seeing it. The form is checked only
    to put values in their stored form (an NHS number's spaces); its errors do not
    matter here, and an entry that cannot be read is left out."""
    form.validate()
    based_on = str(form.based_on.data or "")
    base = version(pack, int(based_on)) if based_on.isdigit() else None
    return diff_versions(base.data if base is not None else {}, to_data(form))


def show_errors(form, errors: dict[str, str]) -> None:
    """Put the save service's refusals on the form's fields ("" for the whole form)."""
    for name, message in errors.items():
        if not name:
            form.form_errors.append(message)
            continue
        field, container = None, form
        for part in name.split("-"):  # "identity-nhs_number": a section's field
            field = container[part]
            container = getattr(field, "form", None)
        field.errors = [*field.errors, message]
