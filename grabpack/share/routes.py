"""The share link an officer without an account opens: police reference, then the
power to retake on the page and the grab pack PDF one press away."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from grabpack.downloads import pdf_response
from grabpack.extensions import db, limiter
from grabpack.models.base import utcnow
from grabpack.services import share_links
from grabpack.services.grab_packs import current_version, pack_for
from grabpack.services.pdf_documents import grab_pack_pdf, pdf_filename
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


def _usable_link(token: str):
    link = share_links.find_link(token)
    if not share_links.usable(link):
        abort(404)
    return link


@bp.route("/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("30 per hour", methods=["POST"], key_func=_per_link)
def open_link(token: str):
    link = _usable_link(token)
    form = ReferenceForm()
    if form.validate_on_submit():
        matched = share_links.reference_matches(link, form.police_reference.data)
        share_links.record_use(
            link,
            request.remote_addr or "",
            matched,
            max_wrong=current_app.config["SHARE_LINK_MAX_WRONG_REFERENCES"],
        )
        db.session.commit()
        if matched and request.form.get("download") != "pdf":
            # First the power to retake, readable on a phone; the PDF is one press away.
            return render_template(
                "share/opened.html", form=form, token=token, episode=link.episode, now=utcnow()
            )
        if matched:
            episode = link.episode
            patient = episode.patient
            shown = current_version(pack_for(patient))
            if shown is None:
                abort(404)
            content = grab_pack_pdf(
                patient, shown, f"Officer with share link (ref {episode.police_reference})", episode
            )
            return pdf_response(content, pdf_filename(patient, shown.number))
        wrong = "That reference does not match the one the ward recorded for this report"
        if link.disabled_at is not None:
            wrong += ". This link no longer works: ask the ward for a new one"
        form.police_reference.errors = list(form.police_reference.errors) + [wrong]
    return render_template("share/open.html", form=form, token=token)
