"""Splitting asks that bundle several demands."""

from __future__ import annotations

from search_api.ask_parts import split_ask

BUNDLED = (
    "During the Third US UPR Cycle, a significant number of States recommended that the United States abolish the "
    "death penalty, enact policies to address racial justice within its police force and criminal legal system, "
    "address health disparities, address violence against the LGBTQ community, ensure economic and social rights, "
    "protect migrants' rights, lift sanctions against the International Criminal Court, and ratify all human rights "
    "treaties including the Convention on the Rights of the Child. The implementation of these recommendations is long overdue."
)


def test_a_list_of_demands_is_split_into_each_demand() -> None:
    assert split_ask(BUNDLED) == [
        "abolish the death penalty",
        "enact policies to address racial justice within its police force and criminal legal system",
        "address health disparities",
        "address violence against the LGBTQ community",
        "ensure economic and social rights",
        "protect migrants' rights",
        "lift sanctions against the International Criminal Court",
        "ratify all human rights treaties including the Convention on the Rights of the Child",
    ]


def test_single_demands_stay_whole() -> None:
    for text in (
        "We urge the Administration to issue a guidance or memorandum on treaty implementation at the federal agency level.",
        "Accordingly, we suggest that each working group develop and publically share a written mandate, along with "
        "specific plans and timelines for implementation.",
        "We urge this Administration to regularly consult with civil society on human rights and establish mechanisms "
        "to raise awareness of commitments, and to ensure implementation of these commitments at all levels.",
        "Provide health, education, work and housing to all.",
    ):
        assert split_ask(text) == [text]
