"""The edit form's mechanics that are not validation: adding and removing entries
of repeatable groups without losing what was typed, and carrying an uploaded
photo across a conflict without trusting the browser with a raw photo id."""

from __future__ import annotations

import re
import uuid

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.datastructures import MultiDict

from grabpack.domain.grab_pack_schema import GRAB_PACK, Group

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
