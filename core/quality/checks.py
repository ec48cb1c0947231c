"""Deterministic checks of one draft: each returns pass or fail with a short explanation.

A check sees the draft and what produced it (`DraftContext`: the prompt's messages, the staff's
input, the task and language). Hard checks decide whether a draft may be shown as finished; soft
ones only warn. The sentences staff read are in `core/i18n/quality.py`, keyed `check.<id>`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal

from core.quality.lexicon import (
    APOLOGY,
    CELEBRATION,
    DISCOUNTS,
    FLOWERS,
    OFFERS,
    POLICY_TOPICS,
    REMEDIES,
    find_term,
)
from core.quality.topics import policy_topics

Severity = Literal["hard", "soft"]


@dataclass(frozen=True)
class DraftContext:
    """A finished draft and everything it is judged against."""

    task: str
    """"complaint" or "bouquet" (a rewrite keeps its draft's task)."""
    language: str
    """The reply language asked for."""
    reply: str
    source: str
    """The staff's text the draft answers: the complaint, the bouquet details, or for a
    rewrite the draft being rewritten."""
    prompt_text: str
    """Everything the model was sent (system and user messages), which holds the policy,
    the order details and the shop's name: a fact found here is not invented."""
    instructions: str
    """The prompt without the staff's text and the references: what a draft must not repeat."""
    references: tuple[str, ...] = ()
    """Texts in the prompt a draft may restate (the shop policy), though not copy out whole."""
    examples: tuple[str, ...] = ()
    """Example replies shown to the model: their phrasing may be borrowed, not the whole reply."""
    inputs: dict[str, Any] = field(default_factory=dict)
    is_rewrite: bool = False


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict on one draft; `detail` quotes what was found, for staff and logs."""

    id: str
    severity: Severity
    passed: bool
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        """How a failed check is stored with its generation."""
        return {"id": self.id, "severity": self.severity, "detail": self.detail}


@dataclass(frozen=True)
class Check:
    """A named check: `test` returns None when the draft passes, else what it found."""

    id: str
    severity: Severity
    tasks: tuple[str, ...]
    test: Callable[[DraftContext], str | None]

    def __call__(self, context: DraftContext) -> CheckResult:
        found = self.test(context)
        return CheckResult(self.id, self.severity, found is None, found or "")


# --- text helpers -------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
_STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by", "from", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these", "those", "i", "me", "my", "we", "our", "you", "your", "he", "she", "they", "them", "his", "her", "their", "not", "no", "so", "if", "as", "do", "did", "does", "have", "has", "had", "can", "could", "would", "should", "will", "just", "very", "all", "any", "there", "here", "what", "when", "which", "who", "how", "also", "than", "then", "too", "up", "out", "about", "into", "over", "after", "before", "again", "only", "am", "im", "dont"]
)


def cjk_count(text: str) -> int:
    """Chinese characters in `text`."""
    return len(_CJK.findall(text))


def words(text: str) -> list[str]:
    """Latin words in lower case."""
    return [w.lower().strip("'’-") for w in _LATIN_WORD.findall(text)]


def text_length(text: str, language: str) -> int:
    """Length as staff count it: words in English, characters in Chinese."""
    return cjk_count(text) if language == "zh" else len(words(text))


def _units(text: str, language: str) -> list[str]:
    """The tokens overlap is measured in: words, or Chinese characters for Chinese."""
    if language == "zh":
        return [c for c in text if _CJK.match(c) or c.isalnum()]
    return words(text)


def _ngrams(units: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(units[i : i + n]) for i in range(len(units) - n + 1)]


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sentences(text: str) -> list[str]:
    """`text` split after sentence-ending punctuation, in either language."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


# --- the checks ---------------------------------------------------------------------------

# Below these a draft says nothing (words for English, characters for Chinese).
MIN_LENGTH = {("complaint", "en"): 15, ("complaint", "zh"): 25, ("bouquet", "en"): 10, ("bouquet", "zh"): 15}
# Above these a draft is longer than the template asks for, with room to spare.
MAX_LENGTH = {
    ("complaint", "en"): 170,
    ("complaint", "zh"): 300,
    ("bouquet", "en", "short"): 60,
    ("bouquet", "en", "medium"): 130,
    ("bouquet", "en", "long"): 240,
    ("bouquet", "zh", "short"): 90,
    ("bouquet", "zh", "medium"): 200,
    ("bouquet", "zh", "long"): 380,
}


def _too_short(c: DraftContext) -> str | None:
    length = text_length(c.reply, c.language)
    if not c.reply.strip():
        return "empty"
    minimum = MIN_LENGTH[(c.task, c.language)]
    if c.is_rewrite:
        # "Shorter" may go below the task's minimum, not below a third of the draft it shortens.
        minimum = min(minimum, text_length(c.source, c.language) // 3)
    if length < minimum:
        return f"{length} {'characters' if c.language == 'zh' else 'words'}, fewer than {minimum}"
    return None


def _too_long(c: DraftContext) -> str | None:
    length = text_length(c.reply, c.language)
    if c.task == "bouquet":
        limit = MAX_LENGTH[("bouquet", c.language, str(c.inputs.get("length") or "medium"))]
    else:
        limit = MAX_LENGTH[("complaint", c.language)]
    if c.is_rewrite:
        # A "longer" rewrite may pass the task's limit, within reason of the draft it rewrites.
        limit = max(limit, int(text_length(c.source, c.language) * 1.6))
    unit = "characters" if c.language == "zh" else "words"
    return f"{length} {unit}, more than {limit}" if length > limit else None


# Lines of the prompt that are labels ("Shop policy:", "Tone: …", "- Wrong item: …"): a reply
# that writes one out is echoing its instructions.
_LABEL = re.compile(r"^\s*-?\s*([^\s:：<>][^:：\n]{1,28}?)\s*[:：]", re.MULTILINE)
# Spans that long, copied from the instructions, are no longer a paraphrase of the policy.
ECHO_SPAN = {"en": 10, "zh": 18}
# A draft whose word 4-grams (Chinese: 6-character runs) come this much from an example copied it.
EXAMPLE_GRAM = {"en": 4, "zh": 6}
EXAMPLE_COPY_SHARE = 0.5


# Labels a model writes when it turns its instructions into a form, whatever the template says.
FORM_LABELS = ("tone", "policy", "shop policy", "reply", "response", "answer", "note", "notes",
               "subject", "语气", "政策", "店铺政策", "回复", "备注", "主题")


def _repeats_instructions(c: DraftContext) -> str | None:
    reply_lower = c.reply.lower()
    labels = {m.group(1).strip() for m in _LABEL.finditer(c.instructions)} | set(FORM_LABELS)
    for label in sorted(labels):
        if len(label) < 2 or label.lower() in c.source.lower():
            continue
        if re.search(rf"(?m)^\W*{re.escape(label.lower())}\s*[:：]", reply_lower):
            return f"writes out the prompt's “{label}:”"
    span = ECHO_SPAN[c.language]
    reply_grams = set(_ngrams(_units(c.reply, c.language), span)) - set(
        _ngrams(_units(c.source, c.language), span)
    )
    joiner = "" if c.language == "zh" else " "
    for gram in _ngrams(_units(c.instructions, c.language), span):
        if gram in reply_grams:
            return f"copies “{_quote(joiner.join(gram))}”"
    # Restating one rule of the policy is how a reply explains the remedy; copying out several
    # is reciting the policy at the customer.
    copied = [
        line
        for reference in c.references
        for line in reference.splitlines()
        if reply_grams & set(_ngrams(_units(line, c.language), span))
    ]
    if len(copied) >= 2:
        return f"copies {len(copied)} rules of the policy, e.g. “{_quote(copied[0].lstrip('- '))}”"
    # An example is there to be imitated: a borrowed phrase is fine, a copied reply is not.
    n = EXAMPLE_GRAM[c.language]
    own = _ngrams(_units(c.reply, c.language), n)
    for example in c.examples:
        borrowed = set(_ngrams(_units(example, c.language), n))
        if own and sum(gram in borrowed for gram in own) / len(own) >= EXAMPLE_COPY_SHARE:
            return f"copies the template's example reply (“{_quote(example, 40)}”)"
    return None


# Placeholders a model leaves for a human to fill in, and tokens that belong to the chat format.
_PLACEHOLDERS = (
    re.compile(r"\[[^\[\]\n]{1,40}\]"),  # [customer name], [时间]
    re.compile(r"【[^【】\n]{1,20}】"),  # 【姓名】
    re.compile(r"\{[^{}\n]{1,40}\}"),  # {name}
    re.compile(r"<[A-Za-z_/][^<>\n]{0,40}>"),  # <name>, <customer_message>, </s>
    re.compile(r"<\|[^|]{1,30}\|>"),  # <|im_end|>
    re.compile(r"(?<![A-Za-z])(?:XXX+|xxx+|XX先生|XX女士|某某|\*{3,}|_{3,})"),
    re.compile(r"(?im)^\s*(?:user|assistant|system|customer|human|用户|助手|顾客)\s*[:：]"),
)


def _placeholder(c: DraftContext) -> str | None:
    for pattern in _PLACEHOLDERS:
        for match in pattern.finditer(c.reply):
            found = match.group(0)
            if found.strip().lower() not in c.source.lower():
                return f"“{_quote(found.strip())}”"
    return None


_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|cn|net|org|shop)\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_CHINESE_DISCOUNT = re.compile(r"[一二三四五六七八九]折|[1-9]\.?[0-9]?折")


def _numbers(text: str) -> list[str]:
    """The numbers in `text` in order, written alike (07 and 7.0 are 7; 1,200 is 1200)."""
    found = []
    for match in _NUMBER.finditer(text):
        value = match.group(0).replace(",", "")
        try:
            found.append(str(float(value)).removesuffix(".0"))
        except ValueError:
            continue
    return found


def _invented(c: DraftContext) -> str | None:
    allowed = c.prompt_text
    for pattern, what in ((_URL, "link"), (_EMAIL, "email address")):
        for match in pattern.finditer(c.reply):
            if match.group(0).lower() not in allowed.lower():
                return f"{what} “{_quote(match.group(0))}”"
    known = set(_numbers(allowed))
    if invented := [n for n in dict.fromkeys(_numbers(c.reply)) if n not in known]:
        return f"the number “{invented[0]}”, which is in neither the request nor the policy"
    for match in _CHINESE_DISCOUNT.finditer(c.reply):
        if match.group(0) not in allowed:
            return f"the discount “{match.group(0)}”"
    for offer in OFFERS[c.language] + (OFFERS["en"] if c.language == "zh" else ()):
        if find_term(c.reply, (offer,)) and not find_term(allowed, (offer,)):
            return f"the offer “{offer.rstrip('*')}”"
    # A discount is the late-delivery rule's remedy only; offered for anything else it is made up.
    found = find_term(c.reply, DISCOUNTS[c.language]) if c.task == "complaint" else None
    if found and "late_delivery" not in policy_topics(c.source, c.language):
        return f"a discount (“{found}”), which the policy gives only for late deliveries"
    return None


def _wrong_language(c: DraftContext) -> str | None:
    # The shop's name, order number and product may be in any script: leave them out.
    text = c.reply
    for value in (c.inputs.get("order_number"), c.inputs.get("product")):
        if value:
            text = text.replace(str(value), "")
    chinese = cjk_count(text)
    latin = sum(len(w) for w in words(text))
    letters = chinese * 2 + latin  # a Chinese character carries about two Latin letters' worth
    if letters == 0:
        return None
    share = chinese * 2 / letters
    if c.language == "en" and share > 0.1:
        return f"{chinese} Chinese characters in an English reply"
    if c.language == "zh" and share < 0.6:
        return f"mostly Latin letters ({latin}) in a Chinese reply"
    return None


# What a finished text ends with: sentence punctuation, a closing quote or bracket, an emoji.
_FINISHED = re.compile("[.!?。！？…”’\"')）\U0001f300-\U0001faff\u2600-\u27bf]\\s*$")


def _unfinished(c: DraftContext) -> str | None:
    lines = [line.strip() for line in c.reply.splitlines() if line.strip()]
    if not lines or _FINISHED.search(lines[-1]):
        return None
    # A sign-off on a line of its own ("Huayu Flowers", "花语花店敬上") needs no full stop.
    if len(lines) >= 2 and len(lines[-1]) <= 30:
        return None
    return f"stops mid-sentence: “…{_quote(lines[-1][-40:])}”"


LOOP_REPEATS = 3


def _loop(c: DraftContext) -> str | None:
    seen = Counter(" ".join(s.lower().split()) for s in sentences(c.reply))
    for sentence, count in seen.items():
        if count >= 2 and text_length(sentence, c.language) >= (8 if c.language == "zh" else 4):
            return f"“{_quote(sentence)}” {count} times"
    n = 8 if c.language == "zh" else 5
    grams = Counter(_ngrams(_units(c.reply, c.language), n))
    gram, count = grams.most_common(1)[0] if grams else ((), 0)
    if count >= LOOP_REPEATS:
        joiner = "" if c.language == "zh" else " "
        return f"“{_quote(joiner.join(gram))}” {count} times"
    return None


def _no_apology(c: DraftContext) -> str | None:
    return None if find_term(c.reply, APOLOGY[c.language]) else "no word of apology"


def _remedies(topic: str, language: str) -> tuple[str, ...]:
    return REMEDIES[topic][language]


def _no_remedy(c: DraftContext) -> str | None:
    topics = policy_topics(c.source, c.language)
    # Passing the case to the manager is the policy's answer where it lists nothing.
    # Where no rule applies, any next step will do: a remedy, or passing the case on.
    offered = [t for t in topics or REMEDIES if find_term(c.reply, _remedies(t, c.language))]
    if offered:
        return None
    if not topics:
        return "offers no next step (not even passing the case to the manager)"
    return f"the policy has a remedy for {topics[0].replace('_', ' ')}, and the reply offers none"


def _content_units(text: str, language: str) -> set[str]:
    if language == "zh":
        chars = [ch for ch in text if _CJK.match(ch)]
        return {a + b for a, b in pairwise(chars)}
    return {w.rstrip("s") for w in words(text) if len(w) > 2 and w not in _STOPWORDS}


# Words every reply uses, which show nothing of the complaint.
_GENERIC = {
    "en": {"flower", "order", "customer", "shop", "thank", "sorry", "apologi", "huayu", "dear",
           "please", "help", "experience", "service", "team"},
    "zh": {"顾客", "您好", "我们", "感谢", "抱歉", "花店", "订单", "服务", "非常", "尊敬", "亲爱", "您的"},
}


def _off_topic(c: DraftContext) -> str | None:
    shared = (_content_units(c.reply, c.language) & _content_units(c.source, c.language)) - _GENERIC[c.language]
    topics = policy_topics(c.source, c.language)
    topical = [t for t in topics if find_term(c.reply, POLICY_TOPICS[t][c.language])]
    return None if shared or topical else "nothing of the customer's message is mentioned"


# Flower names that are also colours: "rose-pink paper" and "a lavender ribbon" name no flower.
_AS_COLOUR = r"(?![\s-]*(?:pink|gold|red|colou?red|colou?r|ribbon|paper|tissue|wrap|tone|hue|shade|satin|bow))"
_COLOUR_FLOWERS = {"rose", "lavender"}


def flowers_in(text: str) -> set[str]:
    """The flowers `text` names, by their English names."""
    lowered = text.lower()
    found = set()
    for name, forms in FLOWERS.items():
        for form in forms:
            if form.isascii():
                colour = _AS_COLOUR if form in _COLOUR_FLOWERS else ""
                if re.search(rf"\b{re.escape(form)}\b{colour}", lowered):
                    found.add(name)
            elif form in text:
                found.add(name)
    # "calla lilies" names a calla, not a lily.
    if "calla lily" in found and "lily" in found and not re.search(r"(?<!calla )lil(y|ies)", lowered):
        found.discard("lily")
    return found


def _flowers_missing(c: DraftContext) -> str | None:
    given = flowers_in(c.source)
    missing = sorted(given - flowers_in(c.reply))
    return f"never mentions {', '.join(missing)}" if given and len(missing) == len(given) else None


def _flowers_partly_missing(c: DraftContext) -> str | None:
    given = flowers_in(c.source)
    missing = sorted(given - flowers_in(c.reply))
    return f"leaves out {', '.join(missing)}" if missing and len(missing) < len(given) else None


def _invented_flowers(c: DraftContext) -> str | None:
    # A complaint reply may name the flowers of the complaint or of the order's product.
    given = flowers_in(c.source) | flowers_in(str(c.inputs.get("product") or ""))
    extra = sorted(flowers_in(c.reply) - given)
    where = "the details" if c.task == "bouquet" else "the customer's message and order"
    return f"names {', '.join(extra)}, which {where} do not" if extra else None


_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


def _sympathy_loud(c: DraftContext) -> str | None:
    if c.inputs.get("occasion") != "sympathy":
        return None
    if "!" in c.reply or "！" in c.reply:
        return "an exclamation mark"
    if emoji := _EMOJI.search(c.reply):
        return f"the emoji {emoji.group(0)}"
    if word := find_term(c.reply, CELEBRATION[c.language] + CELEBRATION["en"]):
        return f"the word “{word}”"
    return None


BOTH = ("complaint", "bouquet")
CHECKS: tuple[Check, ...] = (
    Check("too_short", "hard", BOTH, _too_short),
    Check("repeats_instructions", "hard", BOTH, _repeats_instructions),
    Check("placeholder", "hard", BOTH, _placeholder),
    Check("invented", "hard", BOTH, _invented),
    Check("wrong_language", "hard", BOTH, _wrong_language),
    Check("loop", "hard", BOTH, _loop),
    Check("too_long", "soft", BOTH, _too_long),
    Check("unfinished", "soft", BOTH, _unfinished),
    Check("no_apology", "hard", ("complaint",), _no_apology),
    Check("no_remedy", "hard", ("complaint",), _no_remedy),
    Check("off_topic", "hard", ("complaint",), _off_topic),
    Check("flowers_missing", "hard", ("bouquet",), _flowers_missing),
    Check("flowers_partly_missing", "soft", ("bouquet",), _flowers_partly_missing),
    Check("invented_flowers", "hard", BOTH, _invented_flowers),
    Check("sympathy_loud", "hard", ("bouquet",), _sympathy_loud),
)
CHECK_IDS: tuple[str, ...] = tuple(check.id for check in CHECKS)
# Once a draft is empty, too short or in another language, what it says of the complaint or the
# flowers means nothing: those checks are left out, so the counts say what went wrong.
_SHADOWING = {"too_short", "wrong_language"}


def run_checks(context: DraftContext) -> list[CheckResult]:
    """Every check that applies to the draft's task, in a fixed order."""
    results = [check(context) for check in CHECKS if context.task in check.tasks]
    if any(not r.passed and r.id in _SHADOWING for r in results):
        generic = {check.id for check in CHECKS if check.tasks == BOTH}
        results = [r for r in results if r.id in generic]
    return results


@dataclass(frozen=True)
class Verdict:
    """Every check's result for one draft; `usable` unless a hard check failed."""

    results: tuple[CheckResult, ...]

    @property
    def usable(self) -> bool:
        return not failed(self.results, "hard")

    @property
    def failures(self) -> list[dict[str, str]]:
        """The failed checks as stored with the generation, hard ones first."""
        return [r.as_dict() for r in sorted(failed(self.results), key=lambda r: r.severity)]


def judge(context: DraftContext) -> Verdict:
    """Run the checks on one draft."""
    return Verdict(tuple(run_checks(context)))


def failed(results: Iterable[CheckResult], severity: Severity | None = None) -> list[CheckResult]:
    """The failed results, of one severity if given."""
    return [r for r in results if not r.passed and (severity is None or r.severity == severity)]
