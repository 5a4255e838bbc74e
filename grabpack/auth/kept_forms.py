"""Nothing typed is lost to the idle sign-out.

A nurse starts the report-missing form, searches the grounds for longer than the
idle limit, comes back and selects Save. Her session has ended, so the post
cannot be saved; instead of throwing it away (or calling it an expired form),
grabpack keeps what she sent, encrypted, for ``GRABPACK_KEPT_FORM_MINUTES``,
sends her to sign in, and puts every entry back in the same form afterwards,
with a message saying that nothing was saved yet. She checks and saves it.

Whose entries are they? When the session still named its user (the usual case:
the cookie outlives the idle limit), only that user gets them back. When the
server no longer knew (the cookie had gone), the entries belong to the browser
that sent them: the key lives only in that browser's session, and the first
person to sign in there claims them; anyone else signing in there deletes them.
They are put back only through the form's own page, so its access rules apply.

Only forms listed in ``KEEPABLE`` are kept (forms a person types into, not
buttons), only when the browser says they were sent from one of our own pages
(never a post from elsewhere, which could plant entries), and never an uploaded
file: the message asks for the photo again.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app, flash, request, session, url_for
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from grabpack.extensions import db
from grabpack.models import KeptForm, User
from grabpack.models.base import utcnow

SESSION_KEY = "kept_form"
# The endpoints whose posts are kept, and the page that shows each form again
# (``None``: the form's own address, which shows it on GET).
KEEPABLE: dict[str, str | None] = {
    "packs.edit": None,
    "episodes.new": None,
    "episodes.update": "episodes.view",
    "episodes.close": "episodes.view",
    "episodes.prevention_interview": "episodes.view",
    "ward.admit": None,
}
NOT_SENT = (
    "You were signed out before your form was sent, so nothing has been saved yet. "
    "Sign in again and everything you entered will be put back."
)
PUT_BACK = {
    "signed_out": "You were signed out before your form was sent, so nothing was saved. "
    "Everything you entered is back on the form: check it, then save it.",
    "old_form": "This form was opened before you last signed in, so it could not be sent "
    "and nothing was saved. Everything you entered is back on the form: check it, then "
    "save it.",
}
NO_PHOTO = " A photo you chose was not kept: choose it again."
NEVER_SENT_FIELDS = frozenset({"csrf_token"})


def is_keepable() -> bool:
    """Whether this request is a form worth keeping: a post a person typed, into
    one of our own pages."""
    return request.method == "POST" and request.endpoint in KEEPABLE and sent_from_our_own_page()


def sent_from_our_own_page() -> bool:
    """Whether the browser says this post came from one of grabpack's own pages.

    Kept entries are put back into the form of whoever signs in next, so a page
    elsewhere must not be able to plant them: a post from another site arrives
    without the session (SameSite), which is exactly the "nobody known" case, and
    another host of the same site would pass SameSite. Browsers say where a request
    comes from (``Sec-Fetch-Site``; older ones only ``Origin``, on a post); without
    that word, nothing is kept and the sender is simply asked to sign in."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    return origin is not None and origin == request.host_url.rstrip("/")


def keep(user_id: int | None, reason: str = "signed_out") -> str | None:
    """Keep this request's form for ``user_id`` (``None``: whoever signs in next in
    this browser), remember it in the session, and return the address of the page
    that shows the form again; ``None`` if it could not be kept (the caller goes on
    as it would have: a busy database must not turn a sign-out into a 500)."""
    token = secrets.token_urlsafe(32)
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in NEVER_SENT_FIELDS]
    kept = {"fields": fields, "photo": _had_a_file(), "reason": reason}
    plaintext = json.dumps(kept).encode()
    now = utcnow()
    try:
        _purge_expired(now)
        db.session.add(
            KeptForm(
                token_hash=_hash(token),
                user_id=user_id,
                path=request.path,
                ciphertext=_encrypt(token, plaintext),
                created_at=now,
                expires_at=now + timedelta(minutes=current_app.config["KEPT_FORM_MINUTES"]),
            )
        )
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("a form sent after sign-out could not be kept")
        return None
    session[SESSION_KEY] = token
    show = KEEPABLE[request.endpoint]
    return url_for(show, **(request.view_args or {})) if show else request.path


def carry_over_sign_in(token: str | None, user: User) -> None:
    """After ``user`` signs in (the session was cleared): keep the browser's kept
    form for them if it is theirs or nobody's; delete it if it is someone else's."""
    if not token:
        return
    row = _row(token)
    if row is None:
        return
    if row.user_id is None:
        row.user_id = user.id
    elif row.user_id != user.id:
        db.session.delete(row)
        db.session.commit()
        return
    db.session.commit()
    session[SESSION_KEY] = token


def take(user: User, path: str) -> MultiDict | None:
    """The entries kept for ``user`` from a form sent to ``path``, once: the row is
    deleted as they are read. ``None`` when there are none (or they expired)."""
    token = session.get(SESSION_KEY)
    row = _row(token) if token else None
    if row is None or row.user_id != user.id or row.path != path:
        return None
    session.pop(SESSION_KEY, None)
    db.session.delete(row)
    db.session.commit()
    try:
        kept = json.loads(_decrypt(token, row.ciphertext))
    except (InvalidTag, ValueError):
        return None
    flash(PUT_BACK[kept["reason"]] + (NO_PHOTO if kept["photo"] else ""), "info")
    return MultiDict([tuple(pair) for pair in kept["fields"]])


def _row(token: str) -> KeptForm | None:
    return db.session.scalar(
        select(KeptForm).where(KeptForm.token_hash == _hash(token), KeptForm.expires_at > utcnow())
    )


def _purge_expired(now) -> None:
    db.session.execute(delete(KeptForm).where(KeptForm.expires_at <= now))


def _had_a_file() -> bool:
    return any(getattr(f, "filename", "") for f in request.files.values())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _key(token: str) -> bytes:
    """A key only the token's holder and this server can make: the token is in the
    browser's session, the secret key on the server, neither in the database."""
    secret = current_app.config["SECRET_KEY"]
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=secret.encode() if isinstance(secret, str) else secret,
        info=b"grabpack kept form",
    ).derive(token.encode())


def _encrypt(token: str, plaintext: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_key(token)).encrypt(nonce, plaintext, _hash(token).encode())


def _decrypt(token: str, ciphertext: bytes) -> bytes:
    nonce, sealed = ciphertext[:12], ciphertext[12:]
    return AESGCM(_key(token)).decrypt(nonce, sealed, _hash(token).encode())
