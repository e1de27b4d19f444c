"""Generate veille/data/actors/countries.json from maintained packages.

Run from the repository root with the ``data`` extra installed::

    .venv/bin/python scripts/build_countries.py

Sources, in the order their names are merged:

1. pycountry: every ISO 3166-1 country; its ``name``, ``common_name`` and
   ``official_name`` in English, and the same names translated with gettext
   (domain ``iso3166-1``, ``pycountry.LOCALES_DIR``) for each language in
   ``LANGUAGES``. An English name with a parenthetical qualifier ("Holy See
   (Vatican City State)") is also added without it ("Holy See"); translated
   names are not stripped, as some only differ by their qualifier.
2. countrynames (``countrynames.data.DATA``): extra English variants, kept only
   when they look like English prose names (see ``countrynames_english``).
3. The hand-written tables below (``CANONICAL``, ``MAIN_ALIASES``,
   ``ANAPHORIC``, ``QIDS``, ``CAPITALS``, ``EXTRA_COUNTRIES``).

Output: one JSON record per country, sorted by key, one record per line::

    {"key": "country:kp", "name": "North Korea", "type": "GPE", "kb_id": "Q423",
     "country": "kp", "capital": "Pyongyang",
     "aliases": {"en": ["North Korea", ...], "fr": [...], ...},
     "anaphoric": {"en": ["the North", "North"], ...}}

``kb_id``, ``capital`` and ``anaphoric`` are present only when known. The
script is deterministic: running it twice gives the same bytes.
"""

from __future__ import annotations

import gettext
import json
import re
import sys
import unicodedata
from pathlib import Path

import pycountry
from countrynames.data import DATA as COUNTRYNAMES_DATA

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "veille" / "data" / "actors" / "countries.json"

# Output language code -> pycountry locale directory name.
LANGUAGES = {
    "fr": "fr",
    "de": "de",
    "es": "es",
    "it": "it",
    "pt": "pt",
    "ru": "ru",
    "uk": "uk",
    "ko": "ko",
    "ja": "ja",
    "zh": "zh_CN",
    "ar": "ar",
}
LANGUAGE_ORDER = ["en", *LANGUAGES]

# ---------------------------------------------------------------------------
# Canonical English names, as English-language news writes them. Only the
# countries whose pycountry name differs from news usage are listed.
# ---------------------------------------------------------------------------
CANONICAL = {
    "bn": "Brunei",
    "bo": "Bolivia",
    "cc": "Cocos Islands",
    "cd": "Democratic Republic of the Congo",
    "cg": "Republic of the Congo",
    "ci": "Ivory Coast",
    "cv": "Cape Verde",
    "cz": "Czech Republic",
    "fk": "Falkland Islands",
    "fm": "Micronesia",
    "hk": "Hong Kong",
    "ir": "Iran",
    "kp": "North Korea",
    "kr": "South Korea",
    "la": "Laos",
    "md": "Moldova",
    "mf": "Saint Martin",
    "mo": "Macau",
    "pn": "Pitcairn Islands",
    "ps": "Palestine",
    "ru": "Russia",
    "st": "São Tomé and Príncipe",
    "sx": "Sint Maarten",
    "sy": "Syria",
    "sz": "Eswatini",
    "tl": "East Timor",
    "tr": "Turkey",
    "tw": "Taiwan",
    "tz": "Tanzania",
    "gb": "United Kingdom",
    "us": "United States",
    "va": "Vatican City",
    "ve": "Venezuela",
    "vg": "British Virgin Islands",
    "vi": "US Virgin Islands",
    "vn": "Vietnam",
}

# Countries pycountry does not have (user-assigned or not in ISO 3166-1).
EXTRA_COUNTRIES = {
    "xk": {
        "en": ["Kosovo", "Republic of Kosovo"],
        "fr": ["Kosovo", "République du Kosovo"],
        "de": ["Kosovo", "Republik Kosovo"],
        "es": ["Kosovo"],
        "it": ["Kosovo"],
        "pt": ["Kosovo"],
        "ru": ["Косово", "Республика Косово"],
        "uk": ["Косово"],
        "ko": ["코소보"],
        "ja": ["コソボ"],
        "zh": ["科索沃"],
        "ar": ["كوسوفو"],
    },
}

# Wikidata QIDs, only for countries whose identifier is certain.
QIDS = {
    "ae": "Q878", "af": "Q889", "am": "Q399", "ar": "Q414", "at": "Q40",
    "au": "Q408", "az": "Q227", "be": "Q31", "bg": "Q219", "br": "Q155",
    "by": "Q184", "ca": "Q16", "cd": "Q974", "ch": "Q39", "cl": "Q298",
    "cn": "Q148", "co": "Q739", "cu": "Q241", "cz": "Q213", "de": "Q183",
    "dk": "Q35", "ee": "Q191", "eg": "Q79", "es": "Q29", "et": "Q115",
    "fi": "Q33", "fr": "Q142", "gb": "Q145", "ge": "Q230", "gr": "Q41",
    "hr": "Q224", "hu": "Q28", "id": "Q252", "ie": "Q27", "il": "Q801",
    "in": "Q668", "iq": "Q796", "ir": "Q794", "it": "Q38", "jo": "Q810",
    "jp": "Q17", "ke": "Q114", "kp": "Q423", "kr": "Q884", "kw": "Q817",
    "kz": "Q232", "lb": "Q822", "lt": "Q37", "lv": "Q211", "ly": "Q1016",
    "ma": "Q1028", "md": "Q217", "mx": "Q96", "my": "Q833", "ng": "Q1033",
    "nl": "Q55", "no": "Q20", "nz": "Q664", "pe": "Q419", "ph": "Q928",
    "pk": "Q843", "pl": "Q36", "pt": "Q45", "qa": "Q846", "ro": "Q218",
    "rs": "Q403", "ru": "Q159", "sa": "Q851", "sd": "Q1049", "se": "Q34",
    "sg": "Q334", "sy": "Q858", "th": "Q869", "tr": "Q43", "tw": "Q865",
    "ua": "Q212", "us": "Q30", "ve": "Q717", "vn": "Q881", "xk": "Q1246",
    "ye": "Q805", "za": "Q258",
}

# Capitals (English names). Left out where there is none (uninhabited
# territories), where it is disputed (Israel, Palestine, Western Sahara) or
# where the territory is itself a city (Hong Kong, Macau, Tokelau, Nauru).
CAPITALS = {
    "ad": "Andorra la Vella", "ae": "Abu Dhabi", "af": "Kabul", "ag": "Saint John's",
    "ai": "The Valley", "al": "Tirana", "am": "Yerevan", "ao": "Luanda",
    "ar": "Buenos Aires", "as": "Pago Pago", "at": "Vienna", "au": "Canberra",
    "aw": "Oranjestad", "ax": "Mariehamn", "az": "Baku", "ba": "Sarajevo",
    "bb": "Bridgetown", "bd": "Dhaka", "be": "Brussels", "bf": "Ouagadougou",
    "bg": "Sofia", "bh": "Manama", "bi": "Gitega", "bj": "Porto-Novo",
    "bl": "Gustavia", "bm": "Hamilton", "bn": "Bandar Seri Begawan", "bo": "Sucre",
    "bq": "Kralendijk", "br": "Brasília", "bs": "Nassau", "bt": "Thimphu",
    "bw": "Gaborone", "by": "Minsk", "bz": "Belmopan", "ca": "Ottawa",
    "cc": "West Island", "cd": "Kinshasa", "cf": "Bangui", "cg": "Brazzaville",
    "ch": "Bern", "ci": "Yamoussoukro", "ck": "Avarua", "cl": "Santiago",
    "cm": "Yaoundé", "cn": "Beijing", "co": "Bogotá", "cr": "San José",
    "cu": "Havana", "cv": "Praia", "cw": "Willemstad", "cx": "Flying Fish Cove",
    "cy": "Nicosia", "cz": "Prague", "de": "Berlin", "dj": "Djibouti",
    "dk": "Copenhagen", "dm": "Roseau", "do": "Santo Domingo", "dz": "Algiers",
    "ec": "Quito", "ee": "Tallinn", "eg": "Cairo", "er": "Asmara",
    "es": "Madrid", "et": "Addis Ababa", "fi": "Helsinki", "fj": "Suva",
    "fk": "Stanley", "fm": "Palikir", "fo": "Tórshavn", "fr": "Paris",
    "ga": "Libreville", "gb": "London", "gd": "St. George's", "ge": "Tbilisi",
    "gf": "Cayenne", "gg": "Saint Peter Port", "gh": "Accra", "gi": "Gibraltar",
    "gl": "Nuuk", "gm": "Banjul", "gn": "Conakry", "gp": "Basse-Terre",
    "gq": "Malabo", "gr": "Athens", "gs": "King Edward Point", "gt": "Guatemala City",
    "gu": "Hagåtña", "gw": "Bissau", "gy": "Georgetown", "hn": "Tegucigalpa",
    "hr": "Zagreb", "ht": "Port-au-Prince", "hu": "Budapest", "id": "Jakarta",
    "ie": "Dublin", "im": "Douglas", "in": "New Delhi", "iq": "Baghdad",
    "ir": "Tehran", "is": "Reykjavík", "it": "Rome", "je": "Saint Helier",
    "jm": "Kingston", "jo": "Amman", "jp": "Tokyo", "ke": "Nairobi",
    "kg": "Bishkek", "kh": "Phnom Penh", "ki": "South Tarawa", "km": "Moroni",
    "kn": "Basseterre", "kp": "Pyongyang", "kr": "Seoul", "kw": "Kuwait City",
    "ky": "George Town", "kz": "Astana", "la": "Vientiane", "lb": "Beirut",
    "lc": "Castries", "li": "Vaduz", "lk": "Sri Jayawardenepura Kotte", "lr": "Monrovia",
    "ls": "Maseru", "lt": "Vilnius", "lu": "Luxembourg", "lv": "Riga",
    "ly": "Tripoli", "ma": "Rabat", "mc": "Monaco", "md": "Chișinău",
    "me": "Podgorica", "mf": "Marigot", "mg": "Antananarivo", "mh": "Majuro",
    "mk": "Skopje", "ml": "Bamako", "mm": "Naypyidaw", "mn": "Ulaanbaatar",
    "mp": "Saipan", "mq": "Fort-de-France", "mr": "Nouakchott", "mt": "Valletta",
    "mu": "Port Louis", "mv": "Malé", "mw": "Lilongwe", "mx": "Mexico City",
    "my": "Kuala Lumpur", "mz": "Maputo", "na": "Windhoek", "nc": "Nouméa",
    "ne": "Niamey", "nf": "Kingston", "ng": "Abuja", "ni": "Managua",
    "nl": "Amsterdam", "no": "Oslo", "np": "Kathmandu", "nu": "Alofi",
    "nz": "Wellington", "om": "Muscat", "pa": "Panama City", "pe": "Lima",
    "pf": "Papeete", "pg": "Port Moresby", "ph": "Manila", "pk": "Islamabad",
    "pl": "Warsaw", "pm": "Saint-Pierre", "pn": "Adamstown", "pr": "San Juan",
    "pt": "Lisbon", "pw": "Ngerulmud", "py": "Asunción", "qa": "Doha",
    "re": "Saint-Denis", "ro": "Bucharest", "rs": "Belgrade", "ru": "Moscow",
    "rw": "Kigali", "sa": "Riyadh", "sb": "Honiara", "sc": "Victoria",
    "sd": "Khartoum", "se": "Stockholm", "sg": "Singapore", "sh": "Jamestown",
    "si": "Ljubljana", "sj": "Longyearbyen", "sk": "Bratislava", "sl": "Freetown",
    "sm": "San Marino", "sn": "Dakar", "so": "Mogadishu", "sr": "Paramaribo",
    "ss": "Juba", "st": "São Tomé", "sv": "San Salvador", "sx": "Philipsburg",
    "sy": "Damascus", "sz": "Mbabane", "tc": "Cockburn Town", "td": "N'Djamena",
    "tg": "Lomé", "th": "Bangkok", "tj": "Dushanbe", "tl": "Dili",
    "tm": "Ashgabat", "tn": "Tunis", "to": "Nukuʻalofa", "tr": "Ankara",
    "tt": "Port of Spain", "tv": "Funafuti", "tw": "Taipei", "tz": "Dodoma",
    "ua": "Kyiv", "ug": "Kampala", "us": "Washington, D.C.", "uy": "Montevideo",
    "uz": "Tashkent", "va": "Vatican City", "vc": "Kingstown", "ve": "Caracas",
    "vg": "Road Town", "vi": "Charlotte Amalie", "vn": "Hanoi", "vu": "Port Vila",
    "wf": "Mata-Utu", "ws": "Apia", "xk": "Pristina", "ye": "Sanaa",
    "za": "Pretoria", "zm": "Lusaka", "zw": "Harare",
}

# ---------------------------------------------------------------------------
# HAND ADDITIONS: the short forms news uses that pycountry lacks, for the
# countries most present in international news. Merged after the generated
# names; duplicates are removed.
# ---------------------------------------------------------------------------
MAIN_ALIASES: dict[str, dict[str, list[str]]] = {
    "us": {
        "en": ["United States", "US", "U.S.", "USA", "U.S.A.", "United States of America"],
        "fr": ["États-Unis", "Etats-Unis", "USA", "États-Unis d'Amérique"],
        "de": ["USA", "Vereinigte Staaten", "Vereinigten Staaten", "Vereinigte Staaten von Amerika"],
        "es": ["Estados Unidos", "EE. UU.", "EE.UU.", "EEUU"],
        "it": ["Stati Uniti", "USA"],
        "pt": ["Estados Unidos", "EUA"],
        "ru": ["США", "Соединённые Штаты", "Соединенные Штаты", "Соединённые Штаты Америки"],
        "uk": ["США", "Сполучені Штати", "Сполучені Штати Америки"],
        "ko": ["미국", "미합중국"],
        "ja": ["アメリカ", "米国", "アメリカ合衆国"],
        "zh": ["美国"],
        "ar": ["الولايات المتحدة", "الولايات المتحدة الأمريكية"],
    },
    "ru": {
        "en": ["Russia", "Russian Federation"],
        "fr": ["Russie", "Fédération de Russie"],
        "de": ["Russland", "Russische Föderation"],
        "es": ["Rusia", "Federación de Rusia"],
        "it": ["Russia"],
        "pt": ["Rússia"],
        "ru": ["Россия", "РФ", "Российская Федерация"],
        "uk": ["Росія", "РФ"],
        "ko": ["러시아"],
        "ja": ["ロシア"],
        "zh": ["俄罗斯"],
        "ar": ["روسيا"],
    },
    "cn": {
        "en": ["China", "People's Republic of China", "PRC", "mainland China"],
        "fr": ["Chine", "République populaire de Chine"],
        "de": ["China", "Volksrepublik China"],
        "es": ["China", "República Popular China"],
        "it": ["Cina"],
        "pt": ["China"],
        "ru": ["Китай", "КНР"],
        "uk": ["Китай", "КНР"],
        "ko": ["중국", "중화인민공화국"],
        "ja": ["中国", "中華人民共和国"],
        "zh": ["中国", "中华人民共和国"],
        "ar": ["الصين"],
    },
    "kp": {
        "en": ["North Korea", "DPRK", "D.P.R.K.", "Democratic People's Republic of Korea"],
        "fr": ["Corée du Nord", "RPDC", "République populaire démocratique de Corée"],
        "de": ["Nordkorea", "Demokratische Volksrepublik Korea"],
        "es": ["Corea del Norte", "RPDC", "República Popular Democrática de Corea"],
        "it": ["Corea del Nord"],
        "pt": ["Coreia do Norte"],
        "ru": ["Северная Корея", "КНДР", "Корейская Народно-Демократическая Республика"],
        "uk": ["Північна Корея", "КНДР"],
        "ko": ["북한", "조선민주주의인민공화국", "북조선"],
        "ja": ["北朝鮮", "朝鮮民主主義人民共和国"],
        "zh": ["朝鲜", "朝鲜民主主义人民共和国"],
        "ar": ["كوريا الشمالية"],
    },
    "kr": {
        "en": ["South Korea", "ROK", "Republic of Korea"],
        "fr": ["Corée du Sud", "République de Corée"],
        "de": ["Südkorea", "Republik Korea"],
        "es": ["Corea del Sur", "República de Corea"],
        "it": ["Corea del Sud"],
        "pt": ["Coreia do Sul"],
        "ru": ["Южная Корея", "Республика Корея"],
        "uk": ["Південна Корея", "Республіка Корея"],
        "ko": ["한국", "남한", "대한민국"],
        "ja": ["韓国", "大韓民国"],
        "zh": ["韩国", "大韩民国", "南韩"],
        "ar": ["كوريا الجنوبية"],
    },
    "jp": {
        "en": ["Japan"], "fr": ["Japon"], "de": ["Japan"], "es": ["Japón"], "it": ["Giappone"],
        "pt": ["Japão"], "ru": ["Япония"], "uk": ["Японія"], "ko": ["일본"], "ja": ["日本"],
        "zh": ["日本"], "ar": ["اليابان"],
    },
    "ua": {
        "en": ["Ukraine"], "fr": ["Ukraine"], "de": ["Ukraine"], "es": ["Ucrania"], "it": ["Ucraina"],
        "pt": ["Ucrânia"], "ru": ["Украина"], "uk": ["Україна"], "ko": ["우크라이나"],
        "ja": ["ウクライナ"], "zh": ["乌克兰"], "ar": ["أوكرانيا"],
    },
    "ir": {
        "en": ["Iran", "Islamic Republic of Iran"], "fr": ["Iran", "République islamique d'Iran"],
        "de": ["Iran"], "es": ["Irán"], "it": ["Iran"], "pt": ["Irã", "Irão"], "ru": ["Иран"],
        "uk": ["Іран"], "ko": ["이란"], "ja": ["イラン"], "zh": ["伊朗"], "ar": ["إيران"],
    },
    "il": {
        "en": ["Israel"], "fr": ["Israël"], "de": ["Israel"], "es": ["Israel"], "it": ["Israele"],
        "pt": ["Israel"], "ru": ["Израиль"], "uk": ["Ізраїль"], "ko": ["이스라엘"],
        "ja": ["イスラエル"], "zh": ["以色列"], "ar": ["إسرائيل"],
    },
    "ps": {
        "en": ["Palestine", "State of Palestine"], "fr": ["Palestine", "État de Palestine"],
        "de": ["Palästina"], "es": ["Palestina"], "it": ["Palestina"], "pt": ["Palestina"],
        "ru": ["Палестина"], "uk": ["Палестина"], "ko": ["팔레스타인"], "ja": ["パレスチナ"],
        "zh": ["巴勒斯坦"], "ar": ["فلسطين"],
    },
    "sy": {
        "en": ["Syria"], "fr": ["Syrie"], "de": ["Syrien"], "es": ["Siria"], "it": ["Siria"],
        "pt": ["Síria"], "ru": ["Сирия"], "uk": ["Сирія"], "ko": ["시리아"], "ja": ["シリア"],
        "zh": ["叙利亚"], "ar": ["سوريا"],
    },
    "af": {
        "en": ["Afghanistan"], "fr": ["Afghanistan"], "de": ["Afghanistan"], "es": ["Afganistán"],
        "it": ["Afghanistan"], "pt": ["Afeganistão"], "ru": ["Афганистан"], "uk": ["Афганістан"],
        "ko": ["아프가니스탄"], "ja": ["アフガニスタン"], "zh": ["阿富汗"], "ar": ["أفغانستان"],
    },
    "pk": {
        "en": ["Pakistan"], "fr": ["Pakistan"], "de": ["Pakistan"], "es": ["Pakistán"],
        "it": ["Pakistan"], "pt": ["Paquistão"], "ru": ["Пакистан"], "uk": ["Пакистан"],
        "ko": ["파키스탄"], "ja": ["パキスタン"], "zh": ["巴基斯坦"], "ar": ["باكستان"],
    },
    "in": {
        "en": ["India"], "fr": ["Inde"], "de": ["Indien"], "es": ["India"], "it": ["India"],
        "pt": ["Índia"], "ru": ["Индия"], "uk": ["Індія"], "ko": ["인도"], "ja": ["インド"],
        "zh": ["印度"], "ar": ["الهند"],
    },
    "by": {
        "en": ["Belarus"], "fr": ["Biélorussie", "Bélarus"], "de": ["Belarus", "Weißrussland"],
        "es": ["Bielorrusia"], "it": ["Bielorussia"], "pt": ["Bielorrússia"],
        "ru": ["Белоруссия", "Беларусь"], "uk": ["Білорусь"], "ko": ["벨라루스"],
        "ja": ["ベラルーシ"], "zh": ["白俄罗斯"], "ar": ["بيلاروسيا"],
    },
    "ve": {
        "en": ["Venezuela"], "fr": ["Venezuela"], "de": ["Venezuela"], "es": ["Venezuela"],
        "ru": ["Венесуэла"], "uk": ["Венесуела"], "ko": ["베네수엘라"], "ja": ["ベネズエラ"],
        "zh": ["委内瑞拉"], "ar": ["فنزويلا"],
    },
    "cu": {
        "en": ["Cuba"], "fr": ["Cuba"], "de": ["Kuba"], "es": ["Cuba"], "ru": ["Куба"],
        "uk": ["Куба"], "ko": ["쿠바"], "ja": ["キューバ"], "zh": ["古巴"], "ar": ["كوبا"],
    },
    "pl": {
        "en": ["Poland"], "fr": ["Pologne"], "de": ["Polen"], "es": ["Polonia"], "it": ["Polonia"],
        "pt": ["Polônia", "Polónia"], "ru": ["Польша"], "uk": ["Польща"], "ko": ["폴란드"],
        "ja": ["ポーランド"], "zh": ["波兰"], "ar": ["بولندا"],
    },
    "ee": {
        "en": ["Estonia"], "fr": ["Estonie"], "de": ["Estland"], "es": ["Estonia"],
        "ru": ["Эстония"], "uk": ["Естонія"], "ko": ["에스토니아"], "ja": ["エストニア"],
        "zh": ["爱沙尼亚"],
    },
    "lv": {
        "en": ["Latvia"], "fr": ["Lettonie"], "de": ["Lettland"], "es": ["Letonia"],
        "ru": ["Латвия"], "uk": ["Латвія"], "ko": ["라트비아"], "ja": ["ラトビア"],
        "zh": ["拉脱维亚"],
    },
    "lt": {
        "en": ["Lithuania"], "fr": ["Lituanie"], "de": ["Litauen"], "es": ["Lituania"],
        "ru": ["Литва"], "uk": ["Литва"], "ko": ["리투아니아"], "ja": ["リトアニア"],
        "zh": ["立陶宛"],
    },
    "tw": {
        "en": ["Taiwan"], "fr": ["Taïwan", "Taiwan"], "de": ["Taiwan"], "es": ["Taiwán"],
        "ru": ["Тайвань"], "uk": ["Тайвань"], "ko": ["대만", "타이완"], "ja": ["台湾"],
        "zh": ["台湾"], "ar": ["تايوان"],
    },
    "eg": {
        "en": ["Egypt"], "fr": ["Égypte", "Egypte"], "de": ["Ägypten"], "es": ["Egipto"],
        "it": ["Egitto"], "pt": ["Egito"], "ru": ["Египет"], "uk": ["Єгипет"], "ko": ["이집트"],
        "ja": ["エジプト"], "zh": ["埃及"], "ar": ["مصر"],
    },
    "ng": {
        "en": ["Nigeria"], "fr": ["Nigeria", "Nigéria"], "de": ["Nigeria"], "es": ["Nigeria"],
        "ru": ["Нигерия"], "uk": ["Нігерія"], "ko": ["나이지리아"], "ja": ["ナイジェリア"],
        "zh": ["尼日利亚"],
    },
    "fr": {
        "en": ["France"], "fr": ["France"], "de": ["Frankreich"], "es": ["Francia"],
        "it": ["Francia"], "pt": ["França"], "ru": ["Франция"], "uk": ["Франція"],
        "ko": ["프랑스"], "ja": ["フランス"], "zh": ["法国"], "ar": ["فرنسا"],
    },
    "de": {
        "en": ["Germany"], "fr": ["Allemagne"], "de": ["Deutschland", "Bundesrepublik Deutschland"],
        "es": ["Alemania"], "it": ["Germania"], "pt": ["Alemanha"], "ru": ["Германия", "ФРГ"],
        "uk": ["Німеччина", "ФРН"], "ko": ["독일"], "ja": ["ドイツ"], "zh": ["德国"], "ar": ["ألمانيا"],
    },
    "gb": {
        "en": ["United Kingdom", "UK", "U.K.", "Britain", "Great Britain"],
        "fr": ["Royaume-Uni", "Grande-Bretagne"],
        "de": ["Großbritannien", "Vereinigtes Königreich"],
        "es": ["Reino Unido", "Gran Bretaña"],
        "it": ["Regno Unito", "Gran Bretagna"],
        "pt": ["Reino Unido"],
        "ru": ["Великобритания", "Британия", "Соединённое Королевство"],
        "uk": ["Велика Британія", "Британія"],
        "ko": ["영국"],
        "ja": ["イギリス", "英国"],
        "zh": ["英国"],
        "ar": ["المملكة المتحدة", "بريطانيا"],
    },
    "it": {
        "en": ["Italy"], "fr": ["Italie"], "de": ["Italien"], "es": ["Italia"], "it": ["Italia"],
        "pt": ["Itália"], "ru": ["Италия"], "uk": ["Італія"], "ko": ["이탈리아"],
        "ja": ["イタリア"], "zh": ["意大利"], "ar": ["إيطاليا"],
    },
    "es": {
        "en": ["Spain"], "fr": ["Espagne"], "de": ["Spanien"], "es": ["España"], "it": ["Spagna"],
        "pt": ["Espanha"], "ru": ["Испания"], "uk": ["Іспанія"], "ko": ["스페인"],
        "ja": ["スペイン"], "zh": ["西班牙"], "ar": ["إسبانيا"],
    },
    "ca": {
        "en": ["Canada"], "fr": ["Canada"], "de": ["Kanada"], "es": ["Canadá"], "ru": ["Канада"],
        "uk": ["Канада"], "ko": ["캐나다"], "ja": ["カナダ"], "zh": ["加拿大"],
    },
    "au": {
        "en": ["Australia"], "fr": ["Australie"], "de": ["Australien"], "es": ["Australia"],
        "ru": ["Австралия"], "uk": ["Австралія"], "ko": ["호주", "오스트레일리아"],
        "ja": ["オーストラリア"], "zh": ["澳大利亚"],
    },
    "br": {
        "en": ["Brazil"], "fr": ["Brésil"], "de": ["Brasilien"], "es": ["Brasil"], "pt": ["Brasil"],
        "ru": ["Бразилия"], "uk": ["Бразилія"], "ko": ["브라질"], "ja": ["ブラジル"], "zh": ["巴西"],
    },
    "mx": {
        "en": ["Mexico"], "fr": ["Mexique"], "de": ["Mexiko"], "es": ["México"], "ru": ["Мексика"],
        "uk": ["Мексика"], "ko": ["멕시코"], "ja": ["メキシコ"], "zh": ["墨西哥"],
    },
    "ar": {
        "en": ["Argentina"], "fr": ["Argentine"], "de": ["Argentinien"], "es": ["Argentina"],
        "ru": ["Аргентина"], "uk": ["Аргентина"], "ko": ["아르헨티나"], "ja": ["アルゼンチン"],
        "zh": ["阿根廷"],
    },
    "za": {
        "en": ["South Africa"], "fr": ["Afrique du Sud"], "de": ["Südafrika"], "es": ["Sudáfrica"],
        "ru": ["ЮАР", "Южно-Африканская Республика"], "uk": ["ПАР", "Південна Африка"],
        "ko": ["남아프리카공화국", "남아공"], "ja": ["南アフリカ"], "zh": ["南非"],
    },
    "id": {
        "en": ["Indonesia"], "fr": ["Indonésie"], "de": ["Indonesien"], "es": ["Indonesia"],
        "ru": ["Индонезия"], "uk": ["Індонезія"], "ko": ["인도네시아"], "ja": ["インドネシア"],
        "zh": ["印度尼西亚", "印尼"],
    },
    "sa": {
        "en": ["Saudi Arabia"], "fr": ["Arabie saoudite"], "de": ["Saudi-Arabien"],
        "es": ["Arabia Saudita", "Arabia Saudí"], "ru": ["Саудовская Аравия"],
        "uk": ["Саудівська Аравія"], "ko": ["사우디아라비아", "사우디"], "ja": ["サウジアラビア"],
        "zh": ["沙特阿拉伯", "沙特"], "ar": ["السعودية", "المملكة العربية السعودية"],
    },
    "tr": {
        "en": ["Turkey", "Türkiye", "Turkiye"], "fr": ["Turquie"], "de": ["Türkei"], "es": ["Turquía"],
        "it": ["Turchia"], "pt": ["Turquia"], "ru": ["Турция"], "uk": ["Туреччина"],
        "ko": ["튀르키예", "터키"], "ja": ["トルコ"], "zh": ["土耳其"], "ar": ["تركيا"],
    },
    "iq": {
        "en": ["Iraq"], "fr": ["Irak"], "de": ["Irak"], "es": ["Irak"], "ru": ["Ирак"],
        "uk": ["Ірак"], "ko": ["이라크"], "ja": ["イラク"], "zh": ["伊拉克"], "ar": ["العراق"],
    },
    "lb": {
        "en": ["Lebanon"], "fr": ["Liban"], "de": ["Libanon"], "es": ["Líbano"], "ru": ["Ливан"],
        "uk": ["Ліван"], "ko": ["레바논"], "ja": ["レバノン"], "zh": ["黎巴嫩"], "ar": ["لبنان"],
    },
    "ye": {
        "en": ["Yemen"], "fr": ["Yémen"], "de": ["Jemen"], "es": ["Yemen"], "ru": ["Йемен"],
        "uk": ["Ємен"], "ko": ["예멘"], "ja": ["イエメン"], "zh": ["也门"], "ar": ["اليمن"],
    },
    "qa": {
        "en": ["Qatar"], "fr": ["Qatar"], "de": ["Katar"], "es": ["Catar"], "ru": ["Катар"],
        "uk": ["Катар"], "ko": ["카타르"], "ja": ["カタール"], "zh": ["卡塔尔"], "ar": ["قطر"],
    },
    "ae": {
        "en": ["United Arab Emirates", "UAE"], "fr": ["Émirats arabes unis"],
        "de": ["Vereinigte Arabische Emirate"], "es": ["Emiratos Árabes Unidos"],
        "ru": ["ОАЭ", "Объединённые Арабские Эмираты"], "uk": ["ОАЕ"], "ko": ["아랍에미리트"],
        "ja": ["アラブ首長国連邦"], "zh": ["阿联酋"], "ar": ["الإمارات"],
    },
    "ge": {
        "en": ["Georgia"], "fr": ["Géorgie"], "de": ["Georgien"], "es": ["Georgia"],
        "ru": ["Грузия"], "uk": ["Грузія"], "ko": ["조지아"], "ja": ["ジョージア"], "zh": ["格鲁吉亚"],
    },
    "md": {
        "en": ["Moldova"], "fr": ["Moldavie"], "de": ["Moldau", "Moldawien", "Republik Moldau"],
        "es": ["Moldavia"], "ru": ["Молдавия", "Молдова"], "uk": ["Молдова"], "ko": ["몰도바"],
        "ja": ["モルドバ"], "zh": ["摩尔多瓦"],
    },
    "kz": {
        "en": ["Kazakhstan"], "fr": ["Kazakhstan"], "de": ["Kasachstan"], "es": ["Kazajistán"],
        "ru": ["Казахстан"], "uk": ["Казахстан"], "ko": ["카자흐스탄"], "ja": ["カザフスタン"],
        "zh": ["哈萨克斯坦"],
    },
    "am": {
        "en": ["Armenia"], "fr": ["Arménie"], "de": ["Armenien"], "es": ["Armenia"],
        "ru": ["Армения"], "uk": ["Вірменія"], "ko": ["아르메니아"],
    },
    "az": {
        "en": ["Azerbaijan"], "fr": ["Azerbaïdjan"], "de": ["Aserbaidschan"], "es": ["Azerbaiyán"],
        "ru": ["Азербайджан"], "uk": ["Азербайджан"], "ko": ["아제르바이잔"],
    },
    "hu": {
        "en": ["Hungary"], "fr": ["Hongrie"], "de": ["Ungarn"], "es": ["Hungría"],
        "ru": ["Венгрия"], "uk": ["Угорщина"], "ko": ["헝가리"],
    },
    "fi": {
        "en": ["Finland"], "fr": ["Finlande"], "de": ["Finnland"], "es": ["Finlandia"],
        "ru": ["Финляндия"], "uk": ["Фінляндія"], "ko": ["핀란드"],
    },
    "se": {
        "en": ["Sweden"], "fr": ["Suède"], "de": ["Schweden"], "es": ["Suecia"],
        "ru": ["Швеция"], "uk": ["Швеція"], "ko": ["스웨덴"],
    },
    "no": {
        "en": ["Norway"], "fr": ["Norvège"], "de": ["Norwegen"], "es": ["Noruega"],
        "ru": ["Норвегия"], "uk": ["Норвегія"], "ko": ["노르웨이"],
    },
    "nl": {
        "en": ["Netherlands", "Holland"], "fr": ["Pays-Bas"], "de": ["Niederlande"],
        "es": ["Países Bajos"], "ru": ["Нидерланды"], "uk": ["Нідерланди"], "ko": ["네덜란드"],
    },
    "be": {
        "en": ["Belgium"], "fr": ["Belgique"], "de": ["Belgien"], "es": ["Bélgica"],
        "ru": ["Бельгия"], "uk": ["Бельгія"], "ko": ["벨기에"],
    },
    "ch": {
        "en": ["Switzerland"], "fr": ["Suisse"], "de": ["Schweiz"], "es": ["Suiza"],
        "ru": ["Швейцария"], "uk": ["Швейцарія"], "ko": ["스위스"],
    },
    "at": {
        "en": ["Austria"], "fr": ["Autriche"], "de": ["Österreich"], "es": ["Austria"],
        "ru": ["Австрия"], "uk": ["Австрія"], "ko": ["오스트리아"],
    },
    "gr": {
        "en": ["Greece"], "fr": ["Grèce"], "de": ["Griechenland"], "es": ["Grecia"],
        "ru": ["Греция"], "uk": ["Греція"], "ko": ["그리스"],
    },
    "rs": {
        "en": ["Serbia"], "fr": ["Serbie"], "de": ["Serbien"], "es": ["Serbia"],
        "ru": ["Сербия"], "uk": ["Сербія"], "ko": ["세르비아"],
    },
    "cz": {
        "en": ["Czech Republic", "Czechia"], "fr": ["Tchéquie", "République tchèque"],
        "de": ["Tschechien"], "es": ["Chequia", "República Checa"], "ru": ["Чехия"],
        "uk": ["Чехія"], "ko": ["체코"],
    },
    "ro": {
        "en": ["Romania"], "fr": ["Roumanie"], "de": ["Rumänien"], "es": ["Rumania", "Rumanía"],
        "ru": ["Румыния"], "uk": ["Румунія"], "ko": ["루마니아"],
    },
    "vn": {
        "en": ["Vietnam", "Viet Nam"], "fr": ["Viêt Nam", "Vietnam"], "de": ["Vietnam"],
        "es": ["Vietnam"], "ru": ["Вьетнам"], "uk": ["В'єтнам"], "ko": ["베트남"],
        "ja": ["ベトナム"], "zh": ["越南"],
    },
    "ph": {
        "en": ["Philippines"], "fr": ["Philippines"], "de": ["Philippinen"], "es": ["Filipinas"],
        "ru": ["Филиппины"], "uk": ["Філіппіни"], "ko": ["필리핀"], "ja": ["フィリピン"],
        "zh": ["菲律宾"],
    },
    "mm": {
        "en": ["Myanmar", "Burma"], "fr": ["Birmanie", "Myanmar"], "de": ["Myanmar", "Birma"],
        "es": ["Birmania", "Myanmar"], "ru": ["Мьянма"], "uk": ["М'янма"], "ko": ["미얀마"],
        "ja": ["ミャンマー"], "zh": ["缅甸"],
    },
    "ly": {
        "en": ["Libya"], "fr": ["Libye"], "de": ["Libyen"], "es": ["Libia"], "ru": ["Ливия"],
        "uk": ["Лівія"], "ko": ["리비아"],
    },
    "sd": {
        "en": ["Sudan"], "fr": ["Soudan"], "de": ["Sudan"], "es": ["Sudán"], "ru": ["Судан"],
        "uk": ["Судан"],
    },
    "cd": {
        "en": ["Democratic Republic of the Congo", "Democratic Republic of Congo", "DR Congo", "DRC",
               "Congo-Kinshasa"],
        "fr": ["République démocratique du Congo", "RDC", "RD Congo", "Congo-Kinshasa"],
        "de": ["Demokratische Republik Kongo", "DR Kongo"],
        "es": ["República Democrática del Congo", "RDC"],
        "ru": ["Демократическая Республика Конго", "ДР Конго"],
        "ko": ["콩고민주공화국"],
    },
    "cg": {
        "en": ["Republic of the Congo", "Republic of Congo", "Congo-Brazzaville"],
        "fr": ["République du Congo", "Congo-Brazzaville"],
        "de": ["Republik Kongo"],
        "es": ["República del Congo"],
        "ru": ["Республика Конго"],
        "ko": ["콩고 공화국"],
    },
    "ci": {
        "en": ["Ivory Coast", "Côte d'Ivoire", "Cote d'Ivoire"], "fr": ["Côte d'Ivoire"],
        "de": ["Elfenbeinküste"], "es": ["Costa de Marfil"], "ru": ["Кот-д’Ивуар"],
        "ko": ["코트디부아르"],
    },
    "va": {
        "en": ["Vatican City", "Vatican", "Holy See"], "fr": ["Vatican", "Saint-Siège"],
        "de": ["Vatikan", "Heiliger Stuhl"], "es": ["Vaticano", "Santa Sede"],
        "it": ["Vaticano", "Santa Sede"], "ru": ["Ватикан", "Святой Престол"],
        "ko": ["바티칸", "교황청"],
    },
    "hk": {
        "en": ["Hong Kong"], "fr": ["Hong Kong"], "de": ["Hongkong"], "ru": ["Гонконг"],
        "ko": ["홍콩"], "ja": ["香港"], "zh": ["香港"],
    },
    "mo": {"en": ["Macau", "Macao"], "fr": ["Macao"], "ko": ["마카오"], "zh": ["澳门"]},
    "nz": {
        "en": ["New Zealand"], "fr": ["Nouvelle-Zélande"], "de": ["Neuseeland"],
        "es": ["Nueva Zelanda"], "ru": ["Новая Зеландия"], "ko": ["뉴질랜드"],
    },
    "sg": {
        "en": ["Singapore"], "fr": ["Singapour"], "de": ["Singapur"], "es": ["Singapur"],
        "ru": ["Сингапур"], "ko": ["싱가포르"],
    },
    "my": {
        "en": ["Malaysia"], "fr": ["Malaisie"], "de": ["Malaysia"], "es": ["Malasia"],
        "ru": ["Малайзия"], "ko": ["말레이시아"],
    },
    "jo": {
        "en": ["Jordan"], "fr": ["Jordanie"], "de": ["Jordanien"], "es": ["Jordania"],
        "ru": ["Иордания"], "ko": ["요르단"],
    },
    "ma": {
        "en": ["Morocco"], "fr": ["Maroc"], "de": ["Marokko"], "es": ["Marruecos"],
        "ru": ["Марокко"], "ko": ["모로코"],
    },
    "dz": {
        "en": ["Algeria"], "fr": ["Algérie"], "de": ["Algerien"], "es": ["Argelia"],
        "ru": ["Алжир"], "ko": ["알제리"],
    },
    "et": {
        "en": ["Ethiopia"], "fr": ["Éthiopie"], "de": ["Äthiopien"], "es": ["Etiopía"],
        "ru": ["Эфиопия"], "ko": ["에티오피아"],
    },
    "mn": {
        "en": ["Mongolia"], "fr": ["Mongolie"], "de": ["Mongolei"], "es": ["Mongolia"],
        "ru": ["Монголия"], "ko": ["몽골"],
    },
    "dk": {
        "en": ["Denmark"], "fr": ["Danemark"], "de": ["Dänemark"], "es": ["Dinamarca"],
        "ru": ["Дания"], "ko": ["덴마크"],
    },
    "ie": {
        "en": ["Ireland"], "fr": ["Irlande"], "de": ["Irland"], "es": ["Irlanda"],
        "ru": ["Ирландия"], "ko": ["아일랜드"],
    },
    "bg": {
        "en": ["Bulgaria"], "fr": ["Bulgarie"], "de": ["Bulgarien"], "es": ["Bulgaria"],
        "ru": ["Болгария"], "ko": ["불가리아"],
    },
    "sk": {
        "en": ["Slovakia"], "fr": ["Slovaquie"], "de": ["Slowakei"], "es": ["Eslovaquia"],
        "ru": ["Словакия"], "ko": ["슬로바키아"],
    },
    "pt": {
        "en": ["Portugal"], "fr": ["Portugal"], "de": ["Portugal"], "es": ["Portugal"],
        "ru": ["Португалия"], "ko": ["포르투갈"],
    },
}

# Short forms that denote the country only after the article has named it in
# full (the linker applies them only after a full mention).
ANAPHORIC = {
    "kp": {"en": ["the North", "North"], "fr": ["le Nord", "Nord"], "es": ["el Norte"]},
    "kr": {"en": ["the South", "South"], "fr": ["le Sud", "Sud"], "es": ["el Sur"]},
}

# pycountry msgids not to use as aliases for a country (the name is shared by
# two countries in news: bare "Congo" is used for both Congos).
SKIP_MSGIDS = {"cg": {"Congo"}}

# Names (any language, compared normalised) never used as aliases: ambiguous
# between countries, or naming a region, city or person rather than the country.
EXCLUDED_NAMES = {
    "korea",            # both Koreas
    "congo",            # both Congos
    "west bank",        # region of Palestine: a LOC actor in actors.toml
    "gaza strip",       # idem
    "america",          # continent as well as the United States
    "대영제국",          # "British Empire": pycountry's Korean name for the United Kingdom
}

# countrynames lists demonyms, former states, subdivisions and typos next to
# country names; these pass the filters of countrynames_english and are
# dropped here.
COUNTRYNAMES_EXCLUDED = {
    "central african", "south african", "saudi arab", "arab saudi",  # demonyms
    "russian republic", "kingdom of england",  # former states
    "state of mexico",  # a Mexican state
    "sint eustatius",  # one of the three islands of country:bq
    "guinea equatorial", "state of malta", "russia federation", "great british",  # garbled
    "ethiopia federal democratic republic of ethiopia",
    "united kingdom of great britain", "united kingdom of great britain and ireland",
}

# ---------------------------------------------------------------------------


def normalise(name: str) -> str:
    """Comparison key: casefold, strip accents, unify apostrophes, collapse spaces and hyphens."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[’‘ʼ`´]", "'", text).casefold()
    return re.sub(r"[\s\-‐‑–]+", " ", text).strip()


def clean(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip()
    if name.startswith("the "):
        name = name[4:]
    return name


def variants(name: str) -> list[str]:
    """The name, plus the name without a parenthetical qualifier."""
    out = [clean(name)]
    bare = clean(re.sub(r"\s*\([^)]*\)", "", name))
    if bare and bare != out[0]:
        out.append(bare)
    return out


def countrynames_ambiguous() -> set[str]:
    """Names countrynames gives to two or more codes."""
    codes: dict[str, set[str]] = {}
    for code, names in COUNTRYNAMES_DATA.items():
        for name in names:
            codes.setdefault(normalise(name), set()).add(code.upper())
    return {name for name, owners in codes.items() if len(owners) > 1}


COUNTRYNAMES_AMBIGUOUS = countrynames_ambiguous()
CONNECTORS = {"of", "and", "the", "republic", "state", "island", "islands"}
ENGLISH_NAME = re.compile(r"[A-Z][A-Za-z'’ -]*[a-z]")


def countrynames_english(code: str, own_words: set[str]) -> list[str]:
    """English variants of a country's name from countrynames.

    countrynames mixes names in hundreds of languages with demonyms, former
    states, subdivisions, cities, typos and database codes, all untagged. A
    name is kept only if it is written like English prose (Latin letters,
    starts with a capital; no commas, parentheses, digits or all-caps), has
    at least two words and no one-letter word (single words there are mostly
    demonyms or parts of the country), and every word of it is a word of the
    country's own English names or a connector ("of", "republic", "islands").
    COUNTRYNAMES_EXCLUDED removes what still slips through. Acronyms are not
    taken from countrynames: MAIN_ALIASES lists them.
    """
    kept = []
    for raw in COUNTRYNAMES_DATA.get(code.upper(), []):
        if normalise(raw) in COUNTRYNAMES_AMBIGUOUS:
            continue
        name = clean(raw)
        if name.startswith("The "):
            name = name[4:]
        if "  " in raw or " -" in raw or not ENGLISH_NAME.fullmatch(name) or name.isupper():
            continue
        words = [w.casefold() for w in re.findall(r"[A-Za-z]+", name)]
        if len(words) < 2 or min(len(w) for w in words) < 2:
            continue
        if not set(words) <= own_words | CONNECTORS or normalise(name) in COUNTRYNAMES_EXCLUDED:
            continue
        kept.append(name)
    return kept


LEADING_ARTICLE = re.compile(r"^(?:[lL]['’]|(?:la|le|les|el|il|lo|o|a|die|der|das)\s+)")


def catalogues() -> dict[str, gettext.GNUTranslations]:
    return {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
        for lang, locale in LANGUAGES.items()
    }


def spelling(name: str) -> str:
    """Key for duplicate spellings: case and apostrophe only (accents are kept apart)."""
    return re.sub(r"[’‘ʼ`´]", "'", name).casefold()


def add(aliases: dict[str, list[str]], lang: str, names: list[str]) -> None:
    bucket = aliases.setdefault(lang, [])
    seen = {spelling(n) for n in bucket}
    for name in names:
        name = clean(name)
        if len(name) >= 2 and spelling(name) not in seen and normalise(name) not in EXCLUDED_NAMES:
            bucket.append(name)
            seen.add(spelling(name))


def build() -> list[dict]:
    cats = catalogues()
    records = []
    for country in pycountry.countries:
        code = country.alpha_2.lower()
        msgids = [
            v for v in (getattr(country, a, None) for a in ("common_name", "name", "official_name")) if v
        ]
        msgids = [m for m in dict.fromkeys(msgids) if m not in SKIP_MSGIDS.get(code, set())]
        name = CANONICAL.get(code) or getattr(country, "common_name", None) or country.name
        aliases: dict[str, list[str]] = {}
        add(aliases, "en", [name])
        for msgid in msgids:
            add(aliases, "en", variants(msgid))
        for lang, cat in cats.items():
            for msgid in msgids:
                translated = cat._catalog.get(msgid)  # only real translations, not the msgid fallback
                if translated:
                    if msgid.startswith("the "):  # "the State of Palestine"
                        translated = LEADING_ARTICLE.sub("", translated)
                    add(aliases, lang, [translated])
        own_words = {w.casefold() for v in aliases["en"] for w in re.findall(r"[A-Za-z]+", v)}
        add(aliases, "en", countrynames_english(code, own_words))
        for lang, names in MAIN_ALIASES.get(code, {}).items():
            add(aliases, lang, names)
        records.append(record(code, name, aliases))
    for code, names in EXTRA_COUNTRIES.items():
        aliases = {}
        for lang, values in names.items():
            add(aliases, lang, values)
        records.append(record(code, names["en"][0], aliases))
    records.sort(key=lambda r: r["key"])
    check_collisions(records)
    return records


def record(code: str, name: str, aliases: dict[str, list[str]]) -> dict:
    rec: dict = {"key": f"country:{code}", "name": name, "type": "GPE"}
    if code in QIDS:
        rec["kb_id"] = QIDS[code]
    rec["country"] = code
    if code in CAPITALS:
        rec["capital"] = CAPITALS[code]
    ordered = {}
    for lang in LANGUAGE_ORDER:
        values = aliases.get(lang)
        if values:
            first = [name] if lang == "en" else []
            ordered[lang] = first + sorted(v for v in values if v not in first)
    rec["aliases"] = ordered
    if code in ANAPHORIC:
        rec["anaphoric"] = ANAPHORIC[code]
    return rec


def check_collisions(records: list[dict]) -> None:
    owner: dict[str, str] = {}
    clashes = []
    for rec in records:
        for names in rec["aliases"].values():
            for name in names:
                key = normalise(name)
                if owner.setdefault(key, rec["key"]) != rec["key"]:
                    clashes.append(f"{name!r}: {owner[key]} and {rec['key']}")
    if clashes:
        sys.exit("alias collisions between countries:\n  " + "\n  ".join(sorted(set(clashes))))


def dump(records: list[dict]) -> str:
    lines = [json.dumps(rec, ensure_ascii=False, separators=(", ", ": ")) for rec in records]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def main() -> None:
    records = build()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(dump(records), encoding="utf-8")
    print(f"wrote {len(records)} countries to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
