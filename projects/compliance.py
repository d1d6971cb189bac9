"""Text that may break the program's rules, found for the reviewer (a flag, never a refusal).

Two sources, united by `flags`: the phrases staff keep in the admin (`CompliancePhrase`), matched
as substrings as before, and the patterns below, which find an ACTION word followed by an OBJECT
word ("采购 … 授权") in jieba's segmentation of the text, so that wording no phrase lists
("参与高校需采购我司视觉检测软件授权") is found too. Plain Python, no Django: bench/compliance.py
and the pattern tests run without a database.

jieba is shared with projects/search.py (the same global dictionary, nothing added to it), but not
its `words`: that one is search mode, with sub-words and duplicates removed, so it keeps neither
the order nor the distance between words that a pattern needs.
"""

import logging
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import jieba

jieba.setLogLevel(logging.WARNING)


class Pattern(NamedTuple):
    actions: frozenset[str]
    objects: frozenset[str]
    # One word that is itself action and object (收费 = 收取费用), as jieba cuts it.
    fused: frozenset[str] = frozenset()


# The rule values are CompliancePhrase.Rule's (a test keeps them equal). Words are lower case as
# jieba cuts them; an English word is listed in each form a proposal uses. Promoting a technology
# (推广人工智能技术) is what the program is for, so marketing needs a product or a service.
# "marketing" (mostly a noun: a marketing course) and "order" (in order to) are left out.
PATTERNS: dict[str, Pattern] = {
    "equipment": Pattern(
        actions=frozenset(
            {"采购", "购买", "订购", "购置", "选购", "订阅", "租用"}
            | {"buy", "buys", "buying", "bought", "purchase", "purchases", "purchased", "purchasing"}
            | {"procure", "procures", "procured", "license", "licenses", "subscribe", "subscribes"}
        ),
        objects=frozenset(
            {"软件", "设备", "授权", "平台", "课程包", "硬件", "许可", "账号", "服务器"}
            | {"software", "equipment", "licence", "licences", "license", "licenses", "platform"}
            | {"platforms", "hardware", "device", "devices", "account", "accounts", "server"}
            | {"servers", "kit", "kits", "subscription", "subscriptions", "courseware"}
        ),
    ),
    "fees": Pattern(
        actions=frozenset(
            {"收取", "缴纳", "支付", "交纳", "交", "缴", "缴付", "预交", "预缴"}
            | {"charge", "charges", "charged", "charging", "pay", "pays", "paid", "paying"}
            | {"collect", "collects", "collected"}
        ),
        objects=frozenset(
            {"费用", "培训费", "押金", "学费", "服务费", "报名费", "资料费", "考试费", "保证金"}
            | {"fee", "fees", "deposit", "deposits", "tuition"}
        ),
        fused=frozenset({"收费", "缴费", "交费"}),
    ),
    "marketing": Pattern(
        actions=frozenset(
            {"推广", "销售", "宣传", "搭售", "推销", "代销"}
            | {"promote", "promotes", "promoted", "promoting", "sell", "sells", "selling", "sold"}
            | {"market", "markets", "marketed", "advertise", "advertises", "upsell"}
        ),
        objects=frozenset({"产品", "服务", "product", "products", "service", "services"}),
    ),
}

# jieba keeps a modal verb on some actions (需交, 需缴): the action is the rest.
MODAL_PREFIXES = ("需", "须")

# How many words after the action the object may come. Six reaches across a company's name and a
# measure ("收取每人 3000 元的服务费", "buy the company's GPU equipment"). On the labelled set
# (bench/compliance.py sweeps one to eight) recall climbs to six, and eight gains one long noun
# phrase; we stop at six because each further word lets an action join an unrelated noun in a
# long clause without commas, a cost that the set's short sentences cannot show.
WINDOW = 6

# A negation among the three words before the action ("不得被要求购买", "never required to
# buy", "无需学生缴纳") or between action and object ("pay no fees") means the text states the
# rule rather than breaks it. 免/免费/无偿 count: "免费提供" gives rather than charges.
NEGATION_LOOKBACK = 3
NEGATIONS = frozenset(
    {"不", "无需", "无须", "严禁", "不得", "不会", "免", "免费", "无偿", "禁止", "不必", "不用"}
    | {"不需", "不需要", "杜绝", "免收", "无"}
    | {"no", "not", "never", "without", "free", "nor", "cannot", "don", "doesn", "didn", "won"}
)

# A clause ends at these; an object in the next clause belongs to another statement
# ("推广人工智能技术，服务区域制造业").
BOUNDARIES = frozenset("，。；！？,.;!?：:\n")

# "2,000" and "3.5" would be cut at the separator (and "," ends a clause): make the number one
# word, with a digit of the same length so that no offset into the text moves.
_NUMBER_SEPARATOR = re.compile(r"(?<=\d)[,.，](?=\d)")


class Hit(NamedTuple):
    rule: str
    phrase: str


class _Word(NamedTuple):
    word: str  # lower case
    start: int
    end: int


def _clauses(text: str) -> list[list[_Word]]:
    """The text's words in order, clause by clause; punctuation inside a clause is dropped."""
    clauses: list[list[_Word]] = [[]]
    for token, start, end in jieba.tokenize(_NUMBER_SEPARATOR.sub("0", text)):
        if any(ch.isalnum() for ch in token):
            clauses[-1].append(_Word(token.lower(), start, end))
        elif any(ch in BOUNDARIES for ch in token) and clauses[-1]:
            clauses.append([])
    return [clause for clause in clauses if clause]


def _is_action(word: str, pattern: Pattern) -> bool:
    return word in pattern.actions or (word.startswith(MODAL_PREFIXES) and word[1:] in pattern.actions)


def _object_end(clause: list[_Word], j: int, pattern: Pattern) -> int | None:
    """The index of the last word of an object starting at word j, if one does: a listed word,
    a Chinese compound ending in one (教学设备), or one jieba cut in two or three (课程/包)."""
    word = clause[j].word
    if word in pattern.objects or (
        not word.isascii() and word.endswith(tuple(o for o in pattern.objects if not o.isascii()))
    ):
        return j
    for span in (2, 3):
        if "".join(w.word for w in clause[j : j + span]) in pattern.objects:
            return j + span - 1
    return None


def _negated(clause: list[_Word], i: int, j: int) -> bool:
    around = clause[max(0, i - NEGATION_LOOKBACK) : i] + clause[i + 1 : j]
    return any(w.word in NEGATIONS for w in around)


def _match(clause: list[_Word], i: int, pattern: Pattern, window: int) -> tuple[int, int] | None:
    """Where the object of an action at word i starts and ends; (i, i) for a fused word."""
    word = clause[i].word
    if word in pattern.fused:
        return i, i
    if not _is_action(word, pattern):
        return None
    for j in range(i + 1, min(i + 1 + window, len(clause))):
        if (end := _object_end(clause, j, pattern)) is not None:
            return j, end
    return None


def _phrase(text: str, clause: list[_Word], i: int, j: int, end: int) -> str:
    """The words as written: "采购设备" when they touch, else "采购…授权"."""
    action, obj = clause[i], clause[j]
    if j <= i + 1:
        return text[action.start : clause[end].end]
    return f"{text[action.start : action.end]}…{text[obj.start : clause[end].end]}"


def _unique(hits: Iterable[Hit]) -> list[Hit]:
    return list(dict.fromkeys(hits))


def pattern_hits(text: str, *, window: int = WINDOW, negation: bool = True) -> list[Hit]:
    """Every rule's ACTION … OBJECT found in the text, in the order of the text, once each.
    `window` and `negation` are there for bench/compliance.py to measure their effect."""
    found: list[Hit] = []
    for clause in _clauses(text):
        for i in range(len(clause)):
            for rule, pattern in PATTERNS.items():
                match = _match(clause, i, pattern, window)
                if match and not (negation and _negated(clause, i, match[0])):
                    found.append(Hit(rule, _phrase(text, clause, i, *match)))
    return _unique(found)


def phrase_hits(text: str, phrases: Iterable[tuple[str, str]]) -> list[Hit]:
    """The (rule, phrase) pairs whose phrase the text contains, ignoring case, in their order."""
    folded = text.casefold()
    return _unique(Hit(rule, phrase) for rule, phrase in phrases if phrase.casefold() in folded)


def flags(texts: Sequence[str], phrases: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """The proposal's flags, `{"rule", "phrase"}` as stored on it: the staff's phrases found in
    its texts, then the patterns found in each text (a pattern never spans two fields). A rule
    and phrase appear once, whatever the case: "Purchase Equipment" found by a pattern is the
    staff's "purchase equipment", which comes first."""
    hits = phrase_hits(" ".join(texts), phrases)
    for text in texts:
        hits.extend(pattern_hits(text))
    seen: set[tuple[str, str]] = set()
    found: list[dict[str, str]] = []
    for hit in hits:
        if (key := (hit.rule, hit.phrase.casefold())) not in seen:
            seen.add(key)
            found.append({"rule": hit.rule, "phrase": hit.phrase})
    return found
