"""The grab pack as police receive it, read back out of the PDF."""

from __future__ import annotations

import ast
import re
import socket
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from grabpack.domain.clock import long_date, to_london
from grabpack.domain.grab_pack_schema import (
    GRAB_PACK,
    SECTIONS_BY_KEY,
    Block,
    Briefing,
    Entry,
    Field,
)
from grabpack.domain.review import ReviewPolicy, is_photo_stale
from grabpack.domain.triggers import report_at_once
from grabpack.pdf import GrabPackSnapshot, render_grab_pack
from grabpack.pdf import grab_pack as grab_pack_module
from tests.pdf import samples
from tests.pdf.conftest import Extracted, extract, normalise

MARKING = "OFFICIAL-SENSITIVE"


@pytest.fixture(scope="module")
def typical() -> Extracted:
    return extract(render_grab_pack(samples.snapshot()))


@pytest.fixture(scope="module")
def scripts() -> Extracted:
    return extract(render_grab_pack(samples.snapshot(samples.scripts_data())))


@pytest.fixture(scope="module")
def maximal() -> Extracted:
    return extract(render_grab_pack(samples.maximal_snapshot(long_text_chars=5000)))


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def flat(text: str) -> str:
    """The text with every run of white space (line breaks too) as one space."""
    return " ".join(text.split())


# --- on every page ----------------------------------------------------------------------


@pytest.mark.parametrize("pack", ["typical", "maximal"])
def test_every_page_is_marked_at_top_and_bottom(pack, request):
    pdf: Extracted = request.getfixturevalue(pack)
    for number, words in enumerate(pdf.words, start=1):
        marks = [w for w in words if w.text == MARKING]
        assert len(marks) == 2, f"page {number}"
        top, bottom = sorted(marks, key=lambda w: w.top)
        assert top.top < 0.07 * pdf.page_height, f"page {number}: top marking too low"
        assert bottom.bottom > 0.95 * pdf.page_height, f"page {number}: bottom marking too high"
        assert all(top.top <= w.top and w.bottom <= bottom.bottom for w in words)


@pytest.mark.parametrize("pack", ["typical", "maximal"])
def test_every_page_says_page_x_of_y(pack, request):
    pdf: Extracted = request.getfixturevalue(pack)
    total = len(pdf.pages)
    assert total > 1
    for number, page in enumerate(pdf.pages, start=1):
        assert f"Page {number} of {total}" in page
        assert len(re.findall(r"Page \d+ of \d+", page)) == 1


def test_every_page_names_the_patient_the_version_and_last_review(typical):
    for page in typical.pages:
        assert "Grab pack: Łukasz Wójcik" in page
        assert "Grab pack version 7, last reviewed 1 July 2025" in page
        assert "Larch Ward 24-hour line: 020 7946 0999" in page


@pytest.mark.parametrize(
    ("generated_at", "expected"),
    [
        (samples.GENERATED_AT_BST, "Generated for PC 4821 Jane Smith at 14 July 2025, 15:04 BST"),
        (
            samples.GENERATED_AT_GMT,
            "Generated for PC 4821 Jane Smith at 14 January 2025, 14:04 GMT",
        ),
    ],
    ids=["summer", "winter"],
)
def test_every_page_says_who_it_was_generated_for_in_london_time(generated_at, expected):
    pdf = extract(render_grab_pack(samples.snapshot(generated_at=generated_at)))
    for page in pdf.pages:
        assert expected in page


def test_user_names_in_the_footer_print_literally():
    pdf = extract(render_grab_pack(samples.snapshot(generated_for="PC 1 <b>Ó Súilleabháin</b>")))
    assert all("Generated for PC 1 <b>Ó Súilleabháin</b> at" in page for page in pdf.pages)


# --- the sections -------------------------------------------------------------------------


def test_every_section_is_printed_in_order(typical):
    full_pack = "\n".join(typical.pages[1:])
    positions = [full_pack.index(f"{s.letter}. {s.title}") for s in GRAB_PACK]
    assert positions == sorted(positions)


def test_an_empty_section_says_not_recorded():
    data = {"identity": {"full_name": "Siobhán Ní Bhriain"}}
    pdf = extract(render_grab_pack(samples.snapshot(data, photo_jpeg=None)))
    lines = lines_of("\n".join(pdf.pages[1:]))
    for section in GRAB_PACK:
        if section.key in ("identity", "description", "history", "contacts", "record"):
            continue  # these print rows from the stored version besides its fields
        heading = lines.index(f"{section.letter}. {section.title}")
        assert lines[heading + 1] == "Not recorded", section.title


def test_fields_not_recorded_are_named(typical):
    assert "Previous addresses" in typical.pages[1]
    identity = typical.text.split("A. Identity")[1].split("B. Description")[0]
    assert lines_of(identity)[-2:] == ["Not recorded", "Previous addresses"]


def test_every_recorded_value_is_printed_in_full(typical):
    text = typical.text
    data = samples.typical_data()
    for section in GRAB_PACK:
        for field in section.fields:
            value = data.get(section.key, {}).get(field.key)
            if isinstance(value, str) and value and field.type.value in ("text", "long_text"):
                assert value in text.replace("\n", " "), field.key
    for contact in data["contacts"]["contacts"]:
        assert contact["phone"] in text


def test_a_field_added_to_the_schema_is_printed(monkeypatch):
    extra = Field("shoe_size", "Shoe size")
    sections = tuple(
        replace(s, items=(*s.items, extra)) if s.key == "description" else s for s in GRAB_PACK
    )
    monkeypatch.setattr(grab_pack_module, "GRAB_PACK", sections)
    data = samples.typical_data()
    data["description"]["shoe_size"] = "UK 9, worn-down heels"
    pdf = extract(render_grab_pack(samples.snapshot(data)))
    description = pdf.text.split("B. Description")[1].split("C. Clothing")[0]
    assert "Shoe size" in description
    assert "UK 9, worn-down heels" in description


def test_the_renderer_reads_nothing_but_the_snapshot():
    """No Flask, no database: the PDF package imports neither."""
    package = Path(grab_pack_module.__file__).parent
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                root = name.split(".")[0]
                assert root not in ("flask", "sqlalchemy", "flask_sqlalchemy"), module.name
                assert not name.startswith(("grabpack.models", "grabpack.services")), module.name


# --- page 1: the briefing sheet --------------------------------------------------------------


def test_page_one_is_a_briefing_an_officer_can_act_on(typical):
    page = typical.pages[0]
    for expected in (
        "Briefing sheet: missing person",
        "Łukasz Wójcik",
        "Luke",
        "Lukas Wojcik; 'Woj'",
        "35 (born 1 April 1990)",
        "Photo taken 20 June 2025",
        "178 cm",
        "Tattoo of an anchor on the left forearm",
        "Section 3: Treatment (6 months, renewable)",
        "Considered particularly vulnerable: YES",
        "Two overdose attempts (2021, 2023).",
        "RISK LOCATION",
        "Hackney Wick footbridge over the canal, E9 5EN",
        "020 7946 0999 (Larch Ward, Homerton Mental Health Unit)",
        "Next of kin",
        "Zuzanna Dąbrowska, 07700 900456",
    ):
        assert expected in page.replace("\n", " ") or expected in page, expected
    assert "MISSING NOW" not in typical.text


def test_the_open_episode_is_on_page_one_when_there_is_one():
    episode = samples.open_episode()
    pdf = extract(render_grab_pack(samples.snapshot(open_episode=episode)))
    first, rest = pdf.pages[0], "\n".join(pdf.pages[1:])
    for expected in (
        "MISSING NOW (AWOL): absence noticed 14 July 2025, 14:40 BST",
        "14:05 on 14 July 2025",
        "Hospital garden, by the east gate",
        "Navy parka, grey tracksuit, red trainers",
        "Left during escorted ground leave",
        "CAD 4471/14JUL25",
    ):
        assert expected in first
    assert "MISSING NOW" not in rest
    assert "CAD 4471/14JUL25" not in rest


def test_the_missing_now_box_prints_the_episode_facts_in_declaration_order():
    episode = samples.open_episode(leave_due_back_at=datetime(2025, 7, 14, 13, 0, tzinfo=UTC))
    pdf = extract(render_grab_pack(samples.snapshot(open_episode=episode)))
    box = flat(pdf.pypdf_pages[0]).split("MISSING NOW")[1].split("Łukasz Wójcik")[0]
    labels = [label for label, _ in episode.rows]
    assert labels == [
        "Last seen",
        "Where last seen",
        "Leave due back",
        "Clothing when last seen",
        "Circumstances",
        "Police reference number",
        "Police risk grade",
    ]
    positions = [box.index(f"{label} ") for label in labels]
    assert positions == sorted(positions)
    for label, value in episode.rows:
        assert value in box, label


def test_the_missing_now_box_names_no_field_itself():
    """A fact the declaration gains is printed with no edit to the renderer."""
    episode = replace(samples.open_episode(), rows=(("Shoe size", "UK 9, worn-down heels"),))
    pdf = extract(render_grab_pack(samples.snapshot(open_episode=episode)))
    page = flat(pdf.pypdf_pages[0])  # pypdf keeps a row's label and value together
    assert "MISSING NOW (AWOL)" in page
    assert "Shoe size UK 9, worn-down heels" in page
    assert "Hospital garden" not in page


def test_a_long_episode_fact_is_cut_on_page_one_and_printed_in_full_after_it():
    long = (samples.SENTENCE * 10).strip()
    episode = samples.open_episode(circumstances=long)
    pdf = extract(render_grab_pack(samples.snapshot(open_episode=episode)))
    first, rest = flat(pdf.pages[0]), flat("\n".join(pdf.pages[1:]))
    assert long not in first
    assert "(continued after page 1)" in first
    assert f"Circumstances {long}" in rest
    assert rest.index("The absence as reported (AWOL), in full") < rest.index(
        "The grab pack in full"
    )
    assert "MISSING NOW" not in rest


def test_episode_text_is_never_markup():
    clothing = "<b>red</b> coat & 'blue' <font size=500>hat</font>"
    episode = samples.open_episode(clothing=clothing)
    pdf = extract(render_grab_pack(samples.snapshot(open_episode=episode)))
    assert clothing in pdf.raw_pages[0]


@pytest.mark.parametrize(
    "legal",
    [
        {},
        {"legal_status": "s2", "section_start_on": date(2025, 7, 1)},
        {"legal_status": "s2", "section_start_on": date(2025, 7, 1), "period_ends_on": None},
        {"legal_status": "s3", "period_ends_on": None},
        {"legal_status": "informal", "kind": "missing"},
    ],
    ids=["s3", "s2-two-cautions", "s2", "s3-not-known", "informal"],
)
def test_page_one_fits_on_one_page_with_an_open_episode(legal):
    episode = samples.open_episode(**legal)
    pdf = extract(render_grab_pack(samples.snapshot(open_episode=episode)))
    for heading in ("MISSING NOW", "Legal status", "Risks", "Places likely to go", "Who to call"):
        assert heading in pdf.pages[0]
    assert "The grab pack in full" in lines_of(pdf.pages[1])[:4]


@pytest.mark.parametrize("status", ["s37_41", "s47_49", "s48_49"])
def test_a_restricted_patient_is_flagged_on_page_one(status):
    data = samples.typical_data()
    data["legal"].update(legal_status=status, moj_reference="MoJ 2025/01234")
    pdf = extract(render_grab_pack(samples.snapshot(data)))
    page = pdf.pages[0].replace("\n", " ")
    assert "RESTRICTED PATIENT" in page
    assert "the Ministry of Justice must be told of any absence" in page
    assert "MoJ 2025/01234" in page
    assert "Part III patient: YES" in page


def test_an_unrestricted_patient_is_not_flagged(typical):
    assert "RESTRICTED PATIENT" not in typical.text
    assert "Part III patient: no" in typical.pages[0]


# --- page 1 from the declaration ---------------------------------------------------------


def declaration_with(monkeypatch, marks: dict) -> None:
    """The renderer reads a copy of the declaration in which the item at each
    (section key, item key) of ``marks`` has that briefing mark (``None``: none)."""

    def marked(section, item):
        key = (section.key, item.key)
        return replace(item, briefing=marks[key]) if key in marks else item

    sections = tuple(replace(s, items=tuple(marked(s, i) for i in s.items)) for s in GRAB_PACK)
    monkeypatch.setattr(grab_pack_module, "GRAB_PACK", sections)


def page_one(data: dict | None = None, **overrides) -> str:
    """Page 1 on one line, as pypdf reads it (a row's label and value together)."""
    return flat(extract(render_grab_pack(samples.snapshot(data, **overrides))).pypdf_pages[0])


def test_a_field_marked_for_page_one_is_printed_there_in_its_order(monkeypatch):
    assert "Penicillin" not in page_one()
    declaration_with(monkeypatch, {("health", "allergies"): Briefing(Block.RISKS, order=0)})
    page = page_one()
    assert "Allergies Penicillin" in page
    assert page.index("Allergies Penicillin") < page.index("Risk to self")


def test_a_field_whose_mark_is_removed_leaves_page_one_only(monkeypatch):
    declaration_with(monkeypatch, {("description", "eye_colour"): None})
    pdf = extract(render_grab_pack(samples.snapshot()))
    assert "Eye colour" not in pdf.pages[0]
    assert "Eye colour" in "\n".join(pdf.pages[1:])


def test_the_marks_order_is_the_order_on_page_one(monkeypatch):
    before = page_one()
    assert before.index("Risk to self") < before.index("Physical conditions")
    declaration_with(monkeypatch, {("health", "physical_conditions"): Briefing(Block.RISKS)})
    after = page_one()
    assert after.index("Physical conditions") < after.index("Risk to self")


def test_a_list_marked_for_page_one_prints_an_entry_a_row(monkeypatch):
    entry = Entry(line=("name", "dose"), note="timing")
    declaration_with(
        monkeypatch, {("health", "medications"): Briefing(Block.RISKS, order=9, entry=entry)}
    )
    page = page_one()
    assert "Medicine Clozapine, 300 mg (Night)" in page
    assert "Medicine Thiamine, 100 mg (Morning)" in page


def test_a_list_whose_mark_is_removed_leaves_page_one(monkeypatch):
    declaration_with(monkeypatch, {("places", "places"): None})
    page = page_one()
    assert "Places likely to go" not in page
    assert "Hackney Wick footbridge over the canal" not in page
    assert "Who to call" in page


def test_a_briefing_entry_must_name_the_lists_fields():
    with pytest.raises(ValueError, match="no field"):
        contacts = SECTIONS_BY_KEY["contacts"].groups[0]
        replace(contacts, briefing=Briefing(Block.CONTACTS, entry=Entry(line=("nmae",))))


def test_page_one_prints_only_what_the_declaration_marks():
    data = samples.typical_data()
    for section in GRAB_PACK:
        for field in section.fields:
            if field.briefing is None and field.type.value in ("text", "long_text"):
                data[section.key][field.key] = f"Unmarked {field.key}"
    pdf = extract(render_grab_pack(samples.snapshot(data)))
    assert "Unmarked" not in pdf.pages[0]
    assert "Unmarked first_language" in pdf.text
    assert "Mother; speaks little English." not in pdf.pages[0]  # a contact's notes


def test_an_empty_field_is_not_recorded_on_page_one_only_where_the_checklist_asks_for_it():
    data = samples.typical_data()
    data["identity"]["gender"] = ""  # the checklist asks for it
    data["description"]["eye_colour"] = ""  # it does not
    data["legal"] = {"legal_status": "s2"}  # which needs the section's start
    page = page_one(data)
    assert "Gender Not recorded" in page
    assert "Eye colour" not in page
    assert "Section start date Not recorded" in page
    assert "Detention ended" not in page


def test_the_restricted_box_names_the_ministry_of_justice_reference_even_when_missing():
    data = samples.typical_data()
    data["legal"].update(legal_status="s37_41", moj_reference="")
    assert "Ministry of Justice reference Not recorded" in page_one(data)


# --- page 1: the report-at-once triggers -----------------------------------------------------


def test_the_triggers_box_prints_each_trigger_and_why_from_the_one_rule(typical):
    page = flat(typical.pages[0])
    triggers = report_at_once(samples.typical_data())
    for trigger in triggers:
        answer = "YES" if trigger.applies else trigger.answer.lower()
        assert f"{trigger.label}: {answer}" in page
        assert trigger.reason in page
    assert "Part III patient: no Section 3, as the grab pack records it" in page_one()


def test_no_trigger_recorded_says_so():
    data = samples.typical_data()
    data["risk"].update(considered_dangerous=False, particularly_vulnerable="unknown")
    page = page_one(data)
    assert "No immediate-report trigger recorded" in page
    assert "Considered particularly vulnerable: not known" in page


@pytest.mark.parametrize(
    ("in_pack", "stated", "part_iii"),
    [
        ("informal", "s37_41", "Part III patient: YES Section 37/41, as stated when reported"),
        ("informal", "s38", "Part III patient: YES Section 38, as stated when reported"),
        ("s37_41", "informal", "Part III patient: no Informal, as stated when reported"),
        ("s3", "s37", "Part III patient: YES Section 37, as stated when reported"),
    ],
    ids=["restricted-stated", "remand-stated", "informal-stated", "s37-stated"],
)
def test_while_missing_part_iii_follows_the_status_stated_at_reporting(in_pack, stated, part_iii):
    data = samples.typical_data()
    data["legal"] = {"legal_status": in_pack, "moj_reference": "MoJ 2025/01234"}
    episode = samples.open_episode(legal_status=stated, kind="missing")
    page = flat(extract(render_grab_pack(samples.snapshot(data, open_episode=episode))).pages[0])
    assert part_iii in page


def test_when_no_status_was_stated_part_iii_falls_back_to_the_pack_and_says_so():
    data = samples.typical_data()
    data["legal"] = {"legal_status": "s37_41"}
    episode = samples.open_episode(legal_status="")
    page = flat(extract(render_grab_pack(samples.snapshot(data, open_episode=episode))).pages[0])
    assert "Part III patient: YES" in page
    assert "Section 37/41, as the grab pack records it (not stated when reported missing)" in page


def test_a_missing_photo_prints_a_clear_placeholder():
    pdf = extract(render_grab_pack(samples.snapshot(photo_jpeg=None)))
    assert "NO PHOTO ON RECORD" in pdf.pages[0]
    assert "No photo on record" in pdf.text


def test_an_unreadable_photo_prints_a_placeholder_and_the_pack():
    pdf = extract(render_grab_pack(samples.snapshot(photo_jpeg=b"\xff\xd8 not really a JPEG")))
    assert "PHOTO COULD NOT BE PRINTED" in " ".join(lines_of(pdf.pages[0]))
    assert "The grab pack in full" in pdf.text


def test_an_out_of_date_photo_says_so():
    snapshot = samples.snapshot(photo_taken_on=date(2024, 1, 5), photo_stale=True)
    pdf = extract(render_grab_pack(snapshot))
    assert "Photo taken 5 January 2024 (out of date)" in " ".join(lines_of(pdf.pages[0]))


@pytest.mark.parametrize(("stale_days", "out_of_date"), [(400, False), (183, True)])
def test_the_photo_is_out_of_date_by_the_configured_policy_not_a_fixed_age(stale_days, out_of_date):
    """The service works the flag out with ``is_photo_stale`` and the configured
    policy; the sheet prints the flag and no age of its own."""
    today = to_london(samples.GENERATED_AT_BST).date()
    taken = today - timedelta(days=300)
    stale = is_photo_stale(True, taken, today, ReviewPolicy(photo_stale_days=stale_days))
    assert stale is out_of_date
    snapshot = samples.snapshot(photo_taken_on=taken, photo_stale=stale)
    page = flat(extract(render_grab_pack(snapshot)).pages[0])
    caption = f"Photo taken {long_date(taken)}"
    assert caption in page
    assert (f"{caption} (out of date)" in page) is out_of_date
    assert "months old" not in page


# --- any name, any script ---------------------------------------------------------------------


@pytest.mark.parametrize("script", ["polish", "polish_2", "irish", "chinese"])
def test_latin_and_chinese_names_extract_exactly(scripts, script):
    name = samples.NAMES[script]
    assert name in scripts.text  # pdftotext
    assert any(name in page for page in scripts.pypdf_pages)  # pypdf


def test_arabic_names_extract_after_nfkc(scripts):
    """Shaped Arabic is drawn in presentation forms; pdftotext returns logical order."""
    assert samples.NAMES["arabic"] in scripts.normalised
    words = samples.NAMES["arabic"].split()
    pypdf = normalise("\n".join(scripts.pypdf_pages))
    assert all(word in pypdf for word in words)


def test_bengali_names_extract_in_logical_order(scripts):
    """রহিম উদ্দিন: the vowel sign ি is drawn before its consonant, but the line carries
    its logical text (ActualText), so what is copied is what the ward typed."""
    assert samples.NAMES["bengali"] in scripts.text
    assert "\ue000" not in scripts.text and "\ufffd" not in scripts.text


def test_every_script_prints_on_one_line(scripts):
    mixed = [line for line in lines_of(scripts.normalised) if line.startswith("Mixed:")]
    assert mixed, "the mixed line"
    for line in mixed:
        for expected in (
            "Łukasz",
            samples.NAMES["arabic"],
            "王伟",
            samples.NAMES["bengali"],
            "Siobhán",
        ):
            assert expected in line


def test_the_names_print_in_their_fonts_with_no_missing_glyphs(scripts):
    text = scripts.text  # the pack has no question marks of its own
    assert "?" not in text and "\ufffd" not in text and "■" not in text
    assert not re.search("[\ue000-\uf8ff]", text), "a glyph with no text behind it"


def test_latin_ligatures_stay_searchable(scripts):
    """Latin is never shaped, so "st" and "fi" are two letters even beside Arabic."""
    assert "The first aftershock listing, near" in scripts.text


@pytest.mark.parametrize("literal", samples.MARKUP)
def test_user_text_is_never_markup(scripts, literal):
    # pdftotext's reading-order mode guesses spaces from gaps ("a<b&c"); -raw keeps them.
    assert literal in scripts.raw
    assert any(literal in page for page in scripts.pypdf_pages)


def test_nothing_is_fetched(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the renderer tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    data = samples.scripts_data()
    data["identity"]["aliases"] = '<img src="http://example.invalid/x.png"/> <a href="x">'
    pdf = extract(render_grab_pack(samples.snapshot(data)))
    assert '<img src="http://example.invalid/x.png"/>' in pdf.raw


@pytest.mark.parametrize(
    "value",
    [
        "",
        " \n\n\n ",
        "\x00\x07\x1b[31m control characters \u202e reversed",
        "\ud800 lone surrogate",
        "😀 an emoji and 𠜎 a rare ideograph",
        "x" * 5000,
        "\n".join(["line"] * 2000),
        12345,
        ["a", "list"],
        {"a": "dict"},
    ],
    ids=[
        "empty",
        "blank",
        "controls",
        "surrogate",
        "no-font",
        "one-long-word",
        "many-lines",
        "number",
        "list",
        "dict",
    ],
)
def test_rendering_never_fails_on_content(value):
    data = samples.typical_data()
    data["identity"]["aliases"] = value
    data["risk"]["risk_to_self"] = value
    data["identity"]["date_of_birth"] = "not a date"
    data["health"]["medications"] = "not a list"
    data["places"]["places"] = [{"address": value, "is_risk_location": "yes"}, "junk"]
    pdf = render_grab_pack(samples.snapshot(data))
    assert pdf.startswith(b"%PDF-")


def test_characters_no_font_has_print_as_code_points():
    data = samples.typical_data()
    data["identity"]["aliases"] = "Wave 😀"
    pdf = extract(render_grab_pack(samples.snapshot(data)))
    assert "Wave [U+1F600]" in pdf.text


def test_a_stored_version_with_odd_sections_still_renders():
    data = {"identity": "not a dict", "contacts": {"contacts": None}, "legal": {"legal_status": 3}}
    pdf = extract(render_grab_pack(samples.snapshot(data, photo_jpeg=None)))
    assert "Name not recorded" in pdf.pages[0]


# --- a long pack ----------------------------------------------------------------------------


def test_a_maximal_pack_flows_over_many_pages(maximal):
    assert len(maximal.pages) >= 20
    text = maximal.text
    assert "Contact 20 of 20" in text
    assert "Place 20 of 20" in text
    assert "(continued)" in text  # a long value carried on to the next page
    for section in GRAB_PACK:
        assert f"{section.letter}. {section.title}" in text


def test_a_long_value_continues_under_its_label(maximal):
    for number, page in enumerate(maximal.pages[2:], start=3):
        first_row = lines_of(page)[2:3]
        if first_row and first_row[0].endswith("(continued)"):
            previous = lines_of(maximal.pages[number - 2])
            label = first_row[0].removesuffix(" (continued)")
            assert label in previous
            return
    pytest.fail("no value continued onto the next page")


def test_the_metadata_is_marked_and_names_nobody():
    reader = PdfReader(BytesIO(render_grab_pack(samples.snapshot())))
    assert reader.metadata.title == "Grab pack (OFFICIAL-SENSITIVE)"
    assert reader.metadata.subject == "OFFICIAL-SENSITIVE"
    assert "Wójcik" not in str(dict(reader.metadata))


def test_a_naive_time_is_taken_as_utc():
    snapshot: GrabPackSnapshot = samples.snapshot(generated_at=datetime(2025, 7, 14, 14, 4))
    pdf = extract(render_grab_pack(snapshot))
    assert "at 14 July 2025, 15:04 BST" in pdf.pages[0]


def test_how_to_approach_them_heads_the_risks_on_page_one(typical):
    """Section N: what a call handler asks first is the first risk row an officer
    reads, and the rest of the section prints in full on the pages that follow."""
    first = flat(typical.pages[0])
    assert "How to approach them Calm, one officer, first name." in first
    assert first.index("How to approach them") < first.index("Risk to self")
    rest = flat(" ".join(typical.pages[1:]))
    assert "What an officer needs first" in rest
    assert "Place of birth Kraków" in rest
