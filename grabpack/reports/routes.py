"""The monthly recurrence review: a month's page, and the same review as a PDF and
a CSV. Each view reads the month and the area, asks ``scope_for`` what this
reader may see, has the review computed once, records that it was seen or
downloaded, and shows it.

Ward managers see their wards, police their areas, administrators every area in
aggregate (no patient rows); nurses are refused (403). A month not yet begun, a
string that is not a month, or an area the reader does not cover is a 404 that
says which.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from grabpack.domain.monthly_review import MonthlyReport, next_month, previous_month
from grabpack.downloads import pdf_response
from grabpack.extensions import db
from grabpack.models.base import utcnow
from grabpack.pdf.monthly_report import render_monthly_report
from grabpack.policies import review_rules
from grabpack.reports import bp, charts
from grabpack.reports.choices import areas_for
from grabpack.reports.months import (
    EARLIEST,
    NoSuchReview,
    last_full_month,
    months_offered,
    reviewable_month,
)
from grabpack.reports.presenting import (
    download_name,
    figure_rows,
    flag_colour,
    headline,
    rules_in_words,
    setting_columns,
    trend_rows,
)
from grabpack.services import audit
from grabpack.services.monthly_report import (
    ReportNotAllowed,
    ReportScope,
    UnknownArea,
    monthly_report,
    scope_for,
)
from grabpack.services.monthly_report_csv import report_csv_lines


@bp.errorhandler(NoSuchReview)
def no_such_review(error: NoSuchReview):
    return render_template(
        "reports/unavailable.html", title=error.title, message=error.message
    ), 404


def _scope(area_code: str | None) -> ReportScope:
    try:
        return scope_for(current_user, area_code)
    except ReportNotAllowed:
        abort(403)
    except UnknownArea as error:
        raise NoSuchReview("There is no review for that policing area", str(error)) from None


def _area_arg() -> str | None:
    return request.args.get("area", "").strip() or None


def _review(month_text: str, now: datetime) -> MonthlyReport:
    """The review this reader asked for, or the 403 or 404 that says why not."""
    scope = _scope(_area_arg())
    month = reviewable_month(month_text, now)
    return monthly_report(month, scope, review_rules(), now=now)


def _record(action: str, report: MonthlyReport) -> None:
    """Who looked at which month and area; no patient in the row (the review is of
    many, and the page lists them by reference)."""
    audit.record(
        action,
        user=current_user,
        remote_addr=request.remote_addr or "",
        month=str(report.month),
        area=report.area_code,
    )
    db.session.commit()  # recorded, or nothing shown: a failure here is the error page


@bp.route("/monthly")
@login_required
def monthly_index():
    """Where the navigation and the chooser lead: the month asked for (``?month=``),
    else the last full London month, for the area asked for, if any."""
    _scope(None)  # a nurse is refused here, not one redirect later
    month = request.args.get("month", "").strip() or str(last_full_month(utcnow()))
    return redirect(url_for("reports.monthly", month=month, area=_area_arg()))


@bp.route("/monthly/<month>")
@login_required
def monthly(month: str):
    now = utcnow()
    report = _review(month, now)
    _record("monthly_review.view", report)
    return render_template("reports/monthly.html", **_page(report, now))


def _page(report: MonthlyReport, now: datetime) -> dict[str, Any]:
    """What the template needs beside the review: its words, charts and choices."""
    subject = report.covers or report.area_name or "every ward in this review"
    before, after = previous_month(report.month), next_month(report.month)
    return {
        "report": report,
        "rules": rules_in_words(report.rules),
        "headline": headline(report),
        "rows": figure_rows(report.previous_month, report.rules),
        "settings": [(setting, setting_columns(setting)) for setting in report.settings],
        "ward_count": sum(len(setting.wards) for setting in report.settings),
        "flag_colour": flag_colour,
        "trend_chart": charts.trend_chart(report.trend, subject, "trend-chart"),
        "change_chart": charts.change_chart(report.trend, subject, "change-chart"),
        "trend_rows": trend_rows(report.trend),
        "unfinished": not report.month_is_over,
        "months": months_offered(now, report.month),
        "areas": areas_for(current_user),
        "earlier": before if before >= EARLIEST else None,
        "later": after if report.month_is_over else None,
        "later_label": after.label,
    }


@bp.route("/monthly/<month>.pdf")
@login_required
def monthly_pdf(month: str):
    """The same review on paper, through the shared document base."""
    report = _review(month, utcnow())
    reader = f"{current_user.full_name or current_user.email} ({current_user.role_enum.label})"
    content = render_monthly_report(report, generated_for=reader)
    _record("monthly_review.pdf", report)
    return pdf_response(content, download_name(report, "pdf"))


@bp.route("/monthly/<month>.csv")
@login_required
def monthly_csv(month: str):
    """One row per setting and ward, streamed as it is written."""
    report = _review(month, utcnow())
    _record("monthly_review.csv", report)
    filename = download_name(report, "csv")
    return Response(
        stream_with_context(report_csv_lines(report)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
