"""A country French names with its article, written without it after a preposition: "les
organismes de Kazakhstan" (du), "en Japon" (au), "à États-Unis" (aux). English says "of
Kazakhstan", "in Japan"; French contracts the masculine and plural countries' article with
"de" and "à" ("du Kazakhstan", "au Japon", "aux États-Unis"), so a bare name after "de",
"en" or "à" is a translation that kept the English shape. Feminine countries ("de France",
"en Italie") and masculine ones opening on a vowel ("en Iran", "d'Irak") take no article
there, and are not listed.

Left alone: names also of a city ("à Panama", "de Luxembourg", "à Koweït", "Belize"), and "de" after
a capitalised word, where the country is part of a name ("Isabelle de Portugal", "Banque
de Canada" in a name as a team writes it). Needs no model and no source.
"""

from __future__ import annotations

import re

from mtreview.checks.base import Check, DocumentContext, register_check
from mtreview.documents import Segment
from mtreview.flags import Flag

# Masculine countries opening on a consonant or an aspirated h: "le Kazakhstan", "du", "au".
MASCULINE = tuple(
    name.replace("_", " ")  # one name of two words
    for name in (
        "Bangladesh Bélarus Bénin Bhoutan Botswana Brésil Burkina_Faso Burundi "
        "Cambodge Cameroun Canada Cap-Vert Chili Congo Costa_Rica Danemark Gabon Ghana Guyana "
        "Honduras Japon Kazakhstan Kenya Kirghizistan Kosovo Laos Lesotho Liban Liberia "
        "Libéria Liechtenstein Malawi Mali Maroc Mexique Monténégro Mozambique Myanmar Népal "
        "Nicaragua Niger Nigeria Nigéria Pakistan Paraguay Pérou Portugal Qatar Royaume-Uni "
        "Rwanda Sénégal Soudan Suriname Swaziland Tadjikistan Tchad Togo "
        "Turkménistan Vanuatu Vatican Venezuela Vietnam Yémen Zimbabwe"
    ).split()
)
# Plural countries: "les États-Unis", "des", "aux".
PLURAL = "Bahamas Comores Émirats États-Unis Maldives Pays-Bas Philippines Seychelles".split()
CONTRACTED = {"de": "du", "en": "au", "à": "au"}  # and a masculine country

_NAMES = "|".join(re.escape(name) for name in sorted([*MASCULINE, *PLURAL], key=len, reverse=True))
BARE = re.compile(
    rf"(?<![\w'’-])(?P<before>[^\W\d_][\w-]*\s+)?(?P<prep>[Dd]e\s+|[Dd]['’]|[Ee]n\s+|[Àà]\s+)"
    rf"(?P<name>{_NAMES})(?![\w-])"
)


def contracted(preposition: str, country: str) -> str:
    """What French writes for the preposition and the country's article together."""
    word = preposition.lower().rstrip().replace("’", "'")
    if country in PLURAL:
        return "des" if word in ("de", "d'") else "aux"
    return CONTRACTED[word]


@register_check
class CountryArticles(Check):
    name = "country_articles"
    category = "Fluency/Grammar"
    description = "a country named without its article after de/en/à: 'de Kazakhstan' (du)"

    def check(self, segment: Segment, context: DocumentContext) -> list[Flag]:
        flags = []
        for match in BARE.finditer(segment.text):
            preposition, country, before = match["prep"], match["name"], match["before"]
            if country not in PLURAL and preposition.lower() in ("d'", "d’"):
                continue  # "d'" before a consonant is another error (elision's)
            if before and before[0].isupper() and preposition.lower().startswith("d"):
                continue  # part of a name: "Isabelle de Portugal"
            start = match.start("prep")
            wanted = contracted(preposition, country)
            if preposition[0].isupper():
                wanted = wanted.capitalize()
            message = (
                f"“{segment.text[start : match.end()]}”: French names this country with its "
                f"article (“{wanted} {country}”)"
            )
            flags.append(self.flag(start, match.end(), message, suggestion=f"{wanted} {country}"))
        return flags
