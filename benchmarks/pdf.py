"""Grab-pack PDF: milliseconds per PDF, ReportLab beside WeasyPrint, in one run.

Renders a typical pack (names in Latin with diacritics, Arabic, Chinese and
Bengali) and a maximal one (every field filled, 20 contacts, 20 places, 20
medicines, an open episode) with ``grabpack.pdf``, then the same content as
HTML through WeasyPrint, the peer. The HTML is generated from the renderer's
own story (every label, value, note and heading it would print, with the same
fonts, photo, page header and footer), so both draw the same words.

    .venv/bin/python benchmarks/pdf.py [--runs 40] [--peer-runs 10] [--no-append]

WeasyPrint is only the peer: ``.venv/bin/pip install weasyprint`` to compare;
without it the ReportLab figures print alone. Targets, as ratios from one run:
WeasyPrint / ReportLab at least 10, maximal / typical at most 3.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import html
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reportlab.platypus import Flowable, PageBreak, Spacer  # noqa: E402

from benchmarks.common import append_to_section  # noqa: E402
from grabpack.pdf import GrabPackSnapshot, document, render_grab_pack  # noqa: E402
from grabpack.pdf.document import (  # noqa: E402
    STYLES,
    FieldRow,
    Notice,
    Rule,
    SideBySide,
    Stack,
    london_time,
)
from grabpack.pdf.grab_pack import GrabPackRenderer, Photo, PhotoPlaceholder  # noqa: E402
from grabpack.pdf.text import TextBlock, TextStyle  # noqa: E402
from tests.pdf import samples  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## PDF: the grab pack (`benchmarks/pdf.py`)"
COMMAND = ".venv/bin/python benchmarks/pdf.py"
FONTS = '"Noto Sans", "Noto Sans Arabic", "Noto Sans Bengali", "WenQuanYi Micro Hei", sans-serif'


def cases() -> dict[str, GrabPackSnapshot]:
    """The two packs the targets are about, then a typical pack in Latin only, for
    comparison without the Arabic, Bengali and CJK fonts."""
    episode = samples.open_episode()
    return {
        "typical": samples.snapshot(open_episode=episode),
        "maximal": samples.maximal_snapshot(),
        "typical, Latin only": samples.snapshot(
            samples.typical_data(every_script=False), open_episode=episode
        ),
    }


def timed_ms(render: Callable[[], bytes]) -> tuple[float, bytes]:
    start = time.perf_counter()
    pdf = render()
    return (time.perf_counter() - start) * 1000, pdf


def measure(
    ours: dict[str, Callable[[], bytes]],
    peers: dict[str, Callable[[], bytes]],
    runs: int,
    peer_runs: int,
) -> dict[str, tuple[float, bytes]]:
    """Median milliseconds and the last PDF per renderer, after one warm-up render
    each. The runs take turns in rounds (each round: a share of every ReportLab
    case, then one render of every peer case), so that a busy spell on a shared
    machine falls on all of them alike."""
    renderers = ours | peers
    pdfs = {name: render() for name, render in renderers.items()}
    times: dict[str, list[float]] = {name: [] for name in renderers}
    rounds = peer_runs if peers else 1
    per_round = max(1, -(-runs // rounds))
    for _ in range(rounds):
        for name, render in ours.items():
            for _ in range(per_round):
                elapsed, pdfs[name] = timed_ms(render)
                times[name].append(elapsed)
        for name, render in peers.items():
            elapsed, pdfs[name] = timed_ms(render)
            times[name].append(elapsed)
    return {name: (statistics.median(times[name]), pdfs[name]) for name in renderers}


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages) if pdf else 0


# --- the same content as HTML, for WeasyPrint --------------------------------------------

STYLE_NAMES = {id(getattr(STYLES, f.name)): f.name for f in dataclasses.fields(STYLES)}


def css() -> str:
    rules = []
    for field in dataclasses.fields(STYLES):
        style: TextStyle = getattr(STYLES, field.name)
        grey = "#555" if style.colour != document.INK else "#000"
        rules.append(
            f".{field.name} {{ font-size: {style.size}pt; line-height: {style.line_height}pt;"
            f" font-weight: {'bold' if style.bold else 'normal'}; color: {grey};"
            f" margin: {style.space_before}pt 0 {style.space_after}pt 0; }}"
        )
    return "\n".join(
        [
            f"""
@page {{
  size: A4; margin: 27mm 14mm 31mm 14mm;
  @top-center {{ content: "OFFICIAL-SENSITIVE"; font: bold 10pt {FONTS}; }}
  @top-left {{ content: string(title); font: bold 9pt {FONTS}; }}
  @top-right {{ content: string(note); font: 8.5pt {FONTS}; }}
  @bottom-left {{ content: string(footer); font: 7.5pt {FONTS}; white-space: pre; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages);
                   font: bold 8.5pt {FONTS}; }}
  @bottom-center {{ content: "OFFICIAL-SENSITIVE"; font: bold 10pt {FONTS};
                    vertical-align: bottom; }}
}}
body {{ font-family: {FONTS}; font-size: 9pt; margin: 0; }}
.running {{ height: 0; overflow: hidden; }}
.running-title {{ string-set: title content(); }}
.running-note {{ string-set: note content(); }}
.running-footer {{ string-set: footer content(); }}
p {{ margin: 0; white-space: pre-wrap; }}
table {{ width: 100%; border-collapse: collapse; }}
.rows th, .rows td {{ border-bottom: 0.3pt solid #999; padding: 1.6pt 3mm 1.6pt 0;
                      vertical-align: top; text-align: left; font-weight: normal; }}
.side td {{ vertical-align: top; padding: 0 5mm 0 0; }}
.notice {{ border: 1.6pt solid black; background: #e6e6e6; padding: 2.2mm; margin: 4pt 0; }}
.placeholder {{ border: 1pt dashed black; text-align: center; font-weight: bold; }}
hr {{ border: 0; border-top: 1.2pt solid #999; }}
""",
            *rules,
        ]
    )


def to_html(items: Iterable[Flowable], photo_jpeg: bytes | None) -> Iterable[str]:
    """HTML for the renderer's flowables: label-and-value rows become table rows
    (WeasyPrint lays tables out faster than flex boxes), columns a two-cell table.
    A ``Photo`` is the snapshot's JPEG, ``photo_jpeg`` (the renderer embeds it as it is)."""
    in_table = False
    for item in items:
        if isinstance(item, FieldRow) != in_table:
            in_table = not in_table
            yield '<table class="rows">' if in_table else "</table>"
        if isinstance(item, TextBlock):
            name = STYLE_NAMES.get(id(item.style), "value")
            yield f'<p class="{name}">{html.escape(str(item.text or ""))}</p>'
        elif isinstance(item, FieldRow):
            yield f'<tr><th style="width: {item.label_width}pt">'
            yield from to_html([item.label], photo_jpeg)
            yield "</th><td>"
            yield from to_html([item.value], photo_jpeg)
            yield "</td></tr>"
        elif isinstance(item, Notice):
            yield '<div class="notice">'
            yield from to_html(item.stack.items, photo_jpeg)
            yield "</div>"
        elif isinstance(item, SideBySide):
            yield f'<table class="side"><tr><td style="width: {item.left_width}pt">'
            yield from to_html(item.left.items, photo_jpeg)
            yield "</td><td>"
            yield from to_html(item.right.items, photo_jpeg)
            yield "</td></tr></table>"
        elif isinstance(item, Stack):
            yield from to_html(item.items, photo_jpeg)
        elif isinstance(item, Photo):
            data = base64.b64encode(photo_jpeg or b"").decode()
            yield (
                f'<img src="data:image/jpeg;base64,{data}"'
                f' style="width: {item.width}pt; height: {item.height}pt">'
            )
        elif isinstance(item, PhotoPlaceholder):
            yield (
                f'<div class="placeholder" style="width: {item.width}pt;'
                f' height: {item.height}pt">{html.escape(item.message.upper())}</div>'
            )
        elif isinstance(item, Rule):
            yield "<hr>"
        elif isinstance(item, Spacer):
            yield f'<div style="height: {item.height}pt"></div>'
        elif isinstance(item, PageBreak):
            yield '<div style="break-before: page"></div>'
        else:
            raise TypeError(f"no HTML for {type(item).__name__}")
    if in_table:
        yield "</table>"


def snapshot_html(snapshot: GrabPackSnapshot) -> str:
    renderer = GrabPackRenderer(snapshot)
    footer = (
        f"{renderer._footer_note()}\nGenerated for {snapshot.generated_for}"
        f" at {london_time(snapshot.generated_at)}"
    )
    body = "".join(to_html(renderer._get_story(), snapshot.photo_jpeg))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><style>{css()}</style>'
        f'</head><body><div class="running">'
        f'<div class="running-title">{html.escape(renderer._header_title())}</div>'
        f'<div class="running-note">{html.escape(renderer._header_note(True))}</div>'
        f'<div class="running-footer">{html.escape(footer)}</div></div>{body}</body></html>'
    )


def weasyprint_renderer(snapshot: GrabPackSnapshot) -> Callable[[], bytes] | None:
    """WeasyPrint as a server would run it: one font configuration, kept."""
    try:
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration
    except ImportError:
        print("WeasyPrint is not installed (.venv/bin/pip install weasyprint): no peer figures")
        return None
    font_config = FontConfiguration()
    page = snapshot_html(snapshot)  # made once, as a server's template would be cheap
    return lambda: HTML(string=page).write_pdf(font_config=font_config)


# --- the run ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40, help="ReportLab renders per case")
    parser.add_argument(
        "--peer-runs", type=int, default=10, help="WeasyPrint renders per case (and rounds)"
    )
    parser.add_argument("--no-append", action="store_true", help=f"do not append to {RESULTS}")
    parser.add_argument("--keep", type=Path, help="write each PDF into this folder")
    args = parser.parse_args()

    ours: dict[str, Callable[[], bytes]] = {}
    peers: dict[str, Callable[[], bytes]] = {}
    for name, snapshot in cases().items():
        ours[name] = lambda s=snapshot: render_grab_pack(s)
        peer = weasyprint_renderer(snapshot)
        if peer is not None:
            peers[f"{name} (WeasyPrint)"] = peer
    results = measure(ours, peers, args.runs, args.peer_runs)

    rows = []
    for name in cases():
        ours, pdf = results[name]
        peer, peer_pdf = results.get(f"{name} (WeasyPrint)", (None, b""))
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / f"{name}-reportlab.pdf").write_bytes(pdf)
            if peer_pdf:
                (args.keep / f"{name}-weasyprint.pdf").write_bytes(peer_pdf)
        rows.append((name, page_count(pdf), ours, page_count(peer_pdf), peer))

    lines = [
        "| pack | pages | grabpack.pdf (ReportLab) ms | WeasyPrint pages | WeasyPrint ms "
        "| WeasyPrint / ReportLab |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, pages, ours, peer_pages, peer in rows:
        peer_text = f"{peer:.1f}" if peer is not None else "not installed"
        ratio = f"{peer / ours:.1f}x" if peer is not None else "-"
        lines.append(
            f"| {name} | {pages} | {ours:.1f} | {peer_pages or '-'} | {peer_text} | {ratio} |"
        )
    typical, maximal = rows[0][2], rows[1][2]
    lines.append("")
    lines.append(f"Maximal / typical (ReportLab): {maximal / typical:.2f}x (target at most 3).")
    if rows[0][4] is not None:
        worst = min(peer / ours for _, _, ours, _, peer in rows[:2])
        lines.append(
            f"WeasyPrint / ReportLab, worse of typical and maximal: {worst:.1f}x"
            " (target at least 10)."
        )
    report = "\n".join(lines)
    print(report)

    if not args.no_append:
        append_results(report, args)


def append_results(report: str, args: argparse.Namespace) -> None:
    """Add this run at the end of the PDF section of RESULTS.md."""
    import reportlab

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = (
        f"Python {platform.python_version()}, ReportLab {reportlab.Version}, "
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}"
    )
    entry = (
        f"### {when}\n\n`{COMMAND} --runs {args.runs} --peer-runs {args.peer_runs}`"
        f" ({machine}; medians of the runs)\n\n{report}\n"
    )
    append_to_section(SECTION, entry)


if __name__ == "__main__":
    main()
