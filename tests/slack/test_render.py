"""Block Kit within Slack's limits: long tables paginate, views stay under 100 blocks."""

from __future__ import annotations

from bot import render_slack
from bot.render_text import render_text
from handlers.replies import Button, Citation, Fact, Form, FormField, Reply, Table


def _long_reply(rows: int) -> Reply:
    table = Table(
        ("Name", "Role", "Next due", "Next booked", "Status"),
        tuple(
            (
                f"Person {i:04d} " + "x" * 40,
                "social_worker",
                "Mon 9 Mar 2026",
                "none booked",
                "OVERDUE",
            )
            for i in range(rows)
        ),
        title="Overdue",
    )
    return Reply(
        text="Lots of people & <things>.",
        facts=[Fact(f"F{i}", "v") for i in range(14)],
        tables=[table],
        buttons=[Button(f"Sign #{i}", "record_sign", str(i)) for i in range(30)],
        citations=[Citation("Leeds", "s4.4", "Monthly")],
    )


def _sections_ok(blocks: list[dict]) -> None:
    for b in blocks:
        if b["type"] == "section" and "text" in b:
            assert len(b["text"]["text"]) <= 3000
        if b["type"] == "section" and "fields" in b:
            assert len(b["fields"]) <= 10
        if b["type"] == "actions":
            ids = [e["action_id"] for e in b["elements"]]
            assert len(ids) <= 25 and len(set(ids)) == len(ids)


def test_long_table_paginates_within_fifty_blocks() -> None:
    pages = render_slack.messages(_long_reply(2000))
    assert len(pages) > 1
    for page in pages:
        assert len(page["blocks"]) <= 50
        _sections_ok(page["blocks"])
    rows = sum(
        b["text"]["text"].count("• ")
        for p in pages
        for b in p["blocks"]
        if b["type"] == "section" and "text" in b
    )
    assert rows == 2000  # every row is on some page
    assert pages[0]["blocks"][-1]["elements"][0]["text"] == f"Page 1 of {len(pages)}"
    assert "&amp; &lt;things&gt;" in pages[0]["blocks"][0]["text"]["text"]


def test_short_reply_is_one_message() -> None:
    [page] = render_slack.messages(Reply(text="Hello", buttons=[Button("Go", "book_open")]))
    assert [b["type"] for b in page["blocks"]] == ["section", "actions"]


def test_home_view_stays_within_a_hundred_blocks() -> None:
    view = render_slack.home_view(_long_reply(3000))
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    _sections_ok(view["blocks"])
    assert any("not shown" in json for json in map(str, view["blocks"]))


def test_forms_become_modals_and_values_come_back() -> None:
    form = Form(
        "Book supervision with a very long title",
        "book_submit",
        (
            FormField(
                "supervisee", "Supervisee", "choice", choices=(("sw1", "Alex"),), initial="sw1"
            ),
            FormField("date", "Date", "date"),
            FormField("time", "Time", "time", initial="10:00"),
            FormField("reason", "Reason", "multiline", required=False),
        ),
    )
    modal = render_slack.modal(form)
    assert modal["callback_id"] == "book_submit" and len(modal["title"]["text"]) <= 24
    assert [b["element"]["type"] for b in modal["blocks"]] == [
        "static_select",
        "datepicker",
        "timepicker",
        "plain_text_input",
    ]
    state = {
        "values": {
            "supervisee": {"supervisee": {"selected_option": {"value": "sw1"}}},
            "date": {"date": {"selected_date": "2026-04-14"}},
            "time": {"time": {"selected_time": "14:00"}},
            "reason": {"reason": {"value": None}},
        }
    }
    assert render_slack.form_values(state) == {
        "supervisee": "sw1",
        "date": "2026-04-14",
        "time": "14:00",
    }
    [page] = render_slack.messages(Reply(text="Book:", form=form))
    button = page["blocks"][-1]["elements"][0]
    assert (button["action_id"], button["value"]) == ("form_open", "book_submit|")


def test_text_rendering_numbers_the_buttons() -> None:
    text = render_text(
        Reply(
            text="Hi",
            facts=[Fact("Next due", "Fri 10 Apr 2026")],
            buttons=[Button("Book", "book_open"), Button("Cancel", "session_cancel")],
        )
    )
    assert text.splitlines() == ["Hi", "  Next due  Fri 10 Apr 2026", "  [1] Book", "  [2] Cancel"]
