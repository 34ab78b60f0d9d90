"""Common English words, so that prose never shows up as a keyword ("The", "However", "You")."""

from __future__ import annotations

import re

# Function words, pronouns, frequent verbs, adverbs and sentence openers of technical prose.
# Lower case; a candidate matches whatever its capitalisation.
STOPWORDS = frozenset(
    """
    a about above across actually after afterwards again against ago ahead al all almost
    alone along already also although always am among amongst an and another any anybody
    anyhow anyone anything anyway anyways anywhere apart appear are aren around as aside ask
    asked asking at available away be became because become becomes becoming been before
    beforehand begin behind being below beside besides best better between beyond both brief
    briefly but by came can cannot cant certain certainly clearly come comes consider
    considering could couldn currently definitely described despite did didn different do
    does doesn doing don done down during each easily easy either else elsewhere enough
    especially et etc even eventually ever every everybody everyone everything everywhere
    exactly except far few fewer finally first following follows for former formerly forth
    found from further furthermore gave get gets getting give given gives giving go goes
    going gone got gotten great had hadn happens hardly has hasn have haven having he hello
    hence her here hereafter hereby herein hers herself hi him himself his hither how
    however i ie if ignored immediately important in indeed instead into inward is isn it
    its itself just keep keeps kept know known knows last lastly later latter latterly least
    less lest let like liked likely little look looking looks lot made mainly make makes
    making many may maybe me mean meanwhile merely might mine more moreover most mostly much
    must my myself namely near nearly necessary need needs neither never nevertheless new
    next nine no nobody non none noone nor normally not note nothing now nowhere obviously
    of off often oh ok okay old on once one ones only onto or other others otherwise ought
    our ours ourselves out outside over overall own part particular particularly per perhaps
    place please plus possible presumably probably provide provides put quite rather re
    really reasonably regarding regardless relatively respectively right said same saw say
    saying says second secondly see seeing seem seemed seeming seems seen sensible sent
    serious seriously several shall she should shouldn show shown shows similarly simply
    since so some somebody somehow someone something sometime sometimes somewhat somewhere
    soon sorry specified specify still such sure take taken tell tends th than thank thanks
    that thats the their theirs them themselves then thence there thereafter thereby
    therefore therein theres thereupon these they thing things think third this thorough
    thoroughly those though three through throughout thru thus to together too took toward
    towards tried tries truly try trying twice two typically under unfortunately unless
    unlike unlikely until unto up upon us use used useful uses using usually various very
    via viz vs want wants was wasn way we welcome well went were weren what whatever when
    whence whenever where whereafter whereas whereby wherein whereupon wherever whether
    which while whither who whoever whole whom whose why will willing wish with within
    without won wonder would wouldn yes yet you your yours yourself yourselves zero
    """.split()
)

# Built-in type and constant names: prose writes `int` and `bool`; they name nothing of the file.
BUILTIN_NAMES = frozenset(
    """
    bool int char float double void long short unsigned signed auto str bytes dict list tuple
    none true false null nullptr
    """.split()
)
_NUMBER_OR_PUNCT = re.compile(r"^[\W\d_]*$")
# Shapes of prose that look like code: `i.e`, `U.S` (a one-letter part), `BeOpen.com` (a domain),
# `FMT_` (a prefix cut from a name).
_PROSE_SHAPE = re.compile(
    r"""^(?:
        (?:\w+(?:\.|::))*[A-Za-z](?:(?:\.|::)\w+)+ | \w+(?:\.\w+)*\.[A-Za-z](?:\.\w+)*  # a one-letter part
      | (?i:www\.[\w.]+ | [\w.]+\.(?:com|org|net|edu|gov|us|uk|nl|de|fr|html?))  # a domain or a web page
      | [A-Z0-9]+_  # a prefix
    )$""",
    re.VERBOSE,
)


def is_noise_word(name: str) -> bool:
    """True for an English word, a built-in type, a one-character name, a bare number or a prose shape."""
    if len(name) < 2 or _NUMBER_OR_PUNCT.match(name):
        return True
    lower = name.lower()
    return lower in STOPWORDS or lower in BUILTIN_NAMES or bool(_PROSE_SHAPE.match(name))


_STRONG_IDENTIFIER = re.compile(
    r"""^(?:
        [A-Za-z_]\w*(?:(?:\.|::)[A-Za-z_]\w*)+ # dotted or scoped: torch.compile, at::native
      | \w*[a-z]\w*_\w* | _\w+ # snake_case, _private
      | [A-Z0-9]*[A-Z][A-Z0-9]*_[A-Z0-9_]+ # ALL_CAPS with underscore
      | [A-Z]+[0-9]+\w* | [a-z]+[0-9]+\w* # with digits: FP16, int64
      | [A-Za-z]*[a-z]+[A-Z]\w* # camelCase, CamelCase: GraphModule
      | [A-Z]{2,}[a-z]+\w* # acronym prefix: XMLParser
    )$""",
    re.VERBOSE,
)


def is_strong_identifier(word: str) -> bool:
    """True when a word from free text can only be code: CamelCase, snake_case, dotted, FOO_1."""
    return bool(_STRONG_IDENTIFIER.match(word)) and not is_noise_word(word)
