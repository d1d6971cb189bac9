"""Compliance benchmark: how well the flags find rule breaches in the labelled proposal sentences
(tests/projects/compliance_sentences.py), per rule and overall.

In one run, no database and no Django settings (projects/compliance.py is plain Python):
- the patterns (ACTION … OBJECT in jieba's words, negations handled): recall and precision per
  rule and overall, over (sentence, rule) pairs, with the sentences they miss or wrongly flag;
- the baseline: the phrases seeded by migration 0002 alone, as the portal flagged before;
- the union of the two, which is what `compliance_flags` now stores with the seeded phrases;
- the patterns without negation handling, and with windows of one to eight words;
- the time to match the whole set once jieba's dictionary is loaded.

Prints one JSON document on stdout.

    .venv/bin/python bench/compliance.py
"""

import importlib
import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from projects import compliance  # noqa: E402  (imports no Django)
from tests.projects.compliance_sentences import SENTENCES, Score, measure  # noqa: E402

SEEDED = [
    (rule, phrase)
    for rule, phrases in importlib.import_module(
        "projects.migrations.0002_compliance_phrases"
    ).PHRASES.items()
    for phrase in phrases
]


def figures(scores: dict[str, Score]) -> dict[str, dict[str, float | int]]:
    return {
        rule: {
            "recall": round(s.recall, 3),
            "precision": round(s.precision, 3),
            "true_positives": s.true_positives,
            "false_positives": s.false_positives,
            "false_negatives": s.false_negatives,
        }
        for rule, s in scores.items()
    }


def rules(hits: Iterable[compliance.Hit]) -> set[str]:
    return {hit.rule for hit in hits}


def errors(find: Callable[[str], list[compliance.Hit]]) -> dict[str, list[str]]:
    """The sentences a matcher misses a rule of, and those it flags for a rule they do not break."""
    missed, wrong = [], []
    for text, expected in SENTENCES:
        hits = find(text)
        missed += [f"{rule}: {text}" for rule in sorted(expected - rules(hits))]
        wrong += [f"{hit.rule} “{hit.phrase}”: {text}" for hit in hits if hit.rule not in expected]
    return {"missed": missed, "false_flags": wrong}


def main() -> None:
    compliance.pattern_hits("加载词典")  # jieba loads its dictionary on first use: not timed
    started = time.perf_counter()
    for text, _ in SENTENCES:
        compliance.pattern_hits(text)
    elapsed = time.perf_counter() - started

    def union(text: str) -> set[str]:
        return {flag["rule"] for flag in compliance.flags([text], SEEDED)}

    result = {
        "sentences": len(SENTENCES),
        "breaking_a_rule": sum(1 for _, expected in SENTENCES if expected),
        "window": compliance.WINDOW,
        "patterns": figures(measure(lambda t: rules(compliance.pattern_hits(t)))),
        "patterns_errors": errors(compliance.pattern_hits),
        "baseline_seeded_phrases": figures(measure(lambda t: rules(compliance.phrase_hits(t, SEEDED)))),
        "union_with_seeded_phrases": figures(measure(union)),
        "patterns_without_negation": figures(
            measure(lambda t: rules(compliance.pattern_hits(t, negation=False)))
        )["all"],
        "patterns_by_window": {
            window: {
                "recall": round(score.recall, 3),
                "precision": round(score.precision, 3),
            }
            for window in range(1, 9)
            if (score := measure(lambda t, w=window: rules(compliance.pattern_hits(t, window=w)))["all"])
        },
        "ms_per_sentence": round(elapsed * 1000 / len(SENTENCES), 3),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
