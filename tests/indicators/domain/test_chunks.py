"""Long lists of the stored result in runs: joined back in order, and one element's change rewrites few runs."""

import json

from indicators.domain.chunks import digest, element, join, split


def elements(n: int, changed: int | None = None) -> list[str]:
    return [json.dumps({"school": f"S{i:05d}", "gap": i * (7 if i == changed else 1)}) for i in range(n)]


def runs_of(texts: list[str]) -> dict[str, str]:
    return {digest(r): r for r in split(map(element, texts))}


def test_the_runs_joined_in_order_give_back_the_list():
    texts = elements(5000)
    runs = split(map(element, texts))
    assert 10 < len(runs) < 200
    assert json.loads("[" + join([digest(r) for r in runs], runs_of(texts)) + "]") == [json.loads(t) for t in texts]


def test_changing_one_element_changes_at_most_two_runs_of_the_list():
    before, after = runs_of(elements(5000)), runs_of(elements(5000, changed=2500))
    assert len(set(after) - set(before)) <= 2 and len(set(before) - set(after)) <= 2


def test_an_empty_list_has_no_run():
    assert split([]) == [] and join([], {}) == ""
