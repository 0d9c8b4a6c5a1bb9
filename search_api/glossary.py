"""Human rights acronyms and shorthand, expanded in queries so both arms can match the UN's wording.

Documents spell treaties and groups out ("the Convention on the Elimination of All Forms of
Discrimination against Women", "sexual orientation and gender identity") while people type
"CEDAW" or "LGBTQ". The expansion is appended to the query; the original words stay.
"""

from __future__ import annotations

import re

GLOSSARY: dict[str, str] = {
    "lgbt": "lesbian gay bisexual transgender intersex persons sexual orientation gender identity",
    "lgbti": "lesbian gay bisexual transgender intersex persons sexual orientation gender identity",
    "lgbtq": "lesbian gay bisexual transgender intersex persons sexual orientation gender identity",
    "lgbtqi": "lesbian gay bisexual transgender intersex persons sexual orientation gender identity",
    "lgbtiq": "lesbian gay bisexual transgender intersex persons sexual orientation gender identity",
    "lgbtqia": "lesbian gay bisexual transgender intersex persons sexual orientation gender identity",
    "sogi": "sexual orientation gender identity",
    "icc": "International Criminal Court",
    "nhri": "national human rights institution Paris Principles",
    "nhris": "national human rights institutions Paris Principles",
    "nmrf": "national mechanism for reporting and follow-up",
    "cedaw": "Convention on the Elimination of All Forms of Discrimination against Women",
    "cerd": "International Convention on the Elimination of All Forms of Racial Discrimination",
    "crc": "Convention on the Rights of the Child",
    "crpd": "Convention on the Rights of Persons with Disabilities",
    "cat": "Convention against Torture",
    "opcat": "Optional Protocol to the Convention against Torture",
    "iccpr": "International Covenant on Civil and Political Rights",
    "icescr": "International Covenant on Economic, Social and Cultural Rights",
    "cmw": "International Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families",
    "ced": "International Convention for the Protection of All Persons from Enforced Disappearance",
    "esc": "economic social and cultural rights",
    "escr": "economic social and cultural rights",
    "idp": "internally displaced persons",
    "idps": "internally displaced persons",
    "hrd": "human rights defenders",
    "hrds": "human rights defenders",
    "fgm": "female genital mutilation",
    "gbv": "gender-based violence",
    "vaw": "violence against women",
    "upr": "universal periodic review",
    "ohchr": "Office of the High Commissioner for Human Rights",
    "undrip": "United Nations Declaration on the Rights of Indigenous Peoples",
    "ilo": "International Labour Organization",
    "srhr": "sexual and reproductive health and rights",
}
_WORD = re.compile(r"[A-Za-z]+")


def expand(query: str) -> str:
    """The query with the spelled-out form of each known acronym appended (once each)."""
    extra = []
    for w in dict.fromkeys(m.group(0).lower() for m in _WORD.finditer(query)):
        if w in GLOSSARY and GLOSSARY[w].lower() not in query.lower():
            extra.append(GLOSSARY[w])
    return query if not extra else f"{query} ({'; '.join(extra)})"
