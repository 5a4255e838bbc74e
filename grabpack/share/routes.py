"""The share link an officer without an account opens: police reference, then the
power to retake on the page and the grab pack PDF one press away."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from grabpack.downloads import pdf_response
from grabpack.extensions import db, limiter
from grabpack.models import ShareLink
from grabpack.models.base import utcnow
from grabpack.services import delivery, share_links
from grabpack.share import bp


class ReferenceForm(FlaskForm):
    police_reference = StringField(
        "Police reference number",
        validators=[
            DataRequired("Enter the police reference number for this missing person report"),
            Length(max=50, message="Police reference must be 50 characters or fewer"),
        ],
    )


def _per_link() -> str:
    return share_links.token_hash(request.view_args.get("token", ""))


class LinkEnded(NotFound):
    """A real link that no longer works: its holder is told why, and what to do."""

    def __init__(self, reason: share_links.Ended) -> None:
        super().__init__()
        self.reason = reason


@bp.errorhandler(LinkEnded)
def link_ended(error: LinkEnded):
    """Still 404, as for any link that does not open, but in words for an officer who
    has no account and no ward: why it stopped, and to ask the ward for a new one."""
    return render_template("share/ended.html", reason=error.reason.value), 404


@bp.errorhandler(NotFound)
def no_such_link(error: NotFound):
    """An unknown token: a plain "not found" that says nothing of wards or patients
    (the site's own 404 page speaks to staff about their ward)."""
    return render_template("share/not_found.html"), 404


def _usable_link(token: str) -> ShareLink:
    link = share_links.find_link(token)
    if link is None:
        abort(404)
    if (ended := share_links.why_ended(link)) is not None:
        raise LinkEnded(ended)
    return link


@bp.route("/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("30 per hour", methods=["POST"], key_func=_per_link)
def open_link(token: str):
    link = _usable_link(token)
    form = ReferenceForm()
    if not form.validate_on_submit():
        return render_template("share/open.html", form=form, token=token)
    remote_addr = request.remote_addr or ""
    matched = share_links.reference_matches(link, form.police_reference.data)
    share_links.record_use(
        link, remote_addr, matched, max_wrong=current_app.config["SHARE_LINK_MAX_WRONG_REFERENCES"]
    )
    delivered = None
    if matched and request.form.get("download") == "pdf":
        delivered = delivery.deliver(link, link.episode.patient_id, remote_addr=remote_addr)
    db.session.commit()  # the use, or the wrong reference, and what was delivered
    if delivered is not None:
        return pdf_response(delivered.content, delivered.filename)
    if matched:
        # First the power to retake, readable on a phone; the PDF is one press away.
        return render_template(
            "share/opened.html", form=form, token=token, episode=link.episode, now=utcnow()
        )
    wrong = "That reference does not match the one the ward recorded for this report"
    if link.disabled_at is not None:
        wrong += ". This link no longer works: ask the ward for a new one"
    form.police_reference.errors = list(form.police_reference.errors) + [wrong]
    return render_template("share/open.html", form=form, token=token)
