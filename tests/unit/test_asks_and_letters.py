"""What counts as an ask, and how a letter is named (pure functions, no corpus needed)."""

from __future__ import annotations

import pytest

from corpus.letters import letter_author, letter_title
from indexer.records import citation
from indexer.segment.asks import closing_pleasantry, is_ask


@pytest.mark.parametrize(
    "sentence",
    [
        "Now is the time to take action, and we welcome the opportunity to help with this effort.",
        "Now is the time to act.",
        "Now is the time to take bold action together.",
    ],
)
def test_a_closing_pleasantry_is_not_an_ask(sentence: str) -> None:
    assert not is_ask(sentence) and closing_pleasantry(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Now is the time to abolish the death penalty at the federal level.",
        "Now is the time to act, and we urge you to ratify CEDAW.",
        "We believe now is the time to publicly address these concerns and take meaningful action.",
        "We urge the Administration to issue a guidance or memorandum on treaty implementation.",
    ],
)
def test_asks_that_name_something_to_do_stay_asks(sentence: str) -> None:
    assert is_ask(sentence) and not closing_pleasantry(sentence)


LETTER = """February 9, 2021

Scott Busby
U.S. Department of State

Re: U.S. participation in the third Universal Periodic Review of the United States

Dear Mr. Busby:

We urge you to consult civil society.

Sincerely,

The US Human Rights Network UPR Task Force (Task Force members listed below)

American Civil Liberties Union (ACLU)
"""


def test_a_letter_is_named_by_its_subject_and_signatory() -> None:
    assert (
        letter_title(LETTER)
        == "U.S. participation in the third Universal Periodic Review of the United States"
    )
    assert letter_author(LETTER) == "The US Human Rights Network UPR Task Force"
    assert letter_title("Dear colleagues,\n\nWe urge you.\n") is None
    assert (
        letter_author("Dear Sir,\nWe urge you to act.\nSincerely, A coalition of NGOs\n")
        == "A coalition of NGOs"
    )


def test_a_letters_citation_names_its_author_and_subject_not_its_file() -> None:
    r = {
        "kind": "ask",
        "paragraph": "4",
        "title": letter_title(LETTER),
        "author": letter_author(LETTER),
        "year": 2021,
        "file": "/srv/corpus/letters/000_12e2e18f93ed9b55.txt",
    }
    c = citation(r)
    assert c == (
        "The US Human Rights Network UPR Task Force, “U.S. participation in the third Universal Periodic Review "
        "of the United States”, 2021, para. 4"
    )
    assert "12e2e18f" not in c


@pytest.mark.parametrize(
    ("sentence", "ask"),
    [
        ("نطالب السلطات بالإفراج عن جميع الصحفيين المحتجزين.", True),
        ("كما ندعو الدول إلى التوصية بإلغاء عقوبة الإعدام.", True),
        ("من الضروري أن تعتمد الدولة قانوناً شاملاً لمكافحة التمييز.", True),
        ("ينبغي للدولة أن تحمي المدافعين عن حقوق الإنسان.", True),
        ("قالت الوزارة إنه يجب انتظار نتائج التحقيق.", False),  # reported speech
        ("هل يجب على الحكومة أن تنتظر؟", False),  # a question
        ("عقدت المنظمة اجتماعاً مع الوزارة في شهر مارس.", False),
    ],
)
def test_arabic_asks_and_not_asks(sentence: str, ask: bool) -> None:
    assert is_ask(sentence) is ask
