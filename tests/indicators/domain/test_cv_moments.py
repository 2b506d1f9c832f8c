"""The CV statistics from exact moments (S0 = ΣP, S1 = ΣP·X, S2 = ΣP·X²): each is the exact rational rounded once to
50 digits, checked against Fraction arithmetic, and equal to the former computation from deviations at 120 digits."""

from __future__ import annotations

from decimal import Context, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from indicators.domain.cv import _weighted_cv_by_deviations, cv_stats, moments, sum_moments, weighted_cv
from indicators.domain.decimals import working_context

D = Decimal
FIFTY = Context(prec=50)


def rounded(q: Fraction) -> Decimal:
    """The rational q rounded half-even to 50 significant digits (a Decimal division of exact integers)."""
    return FIFTY.divide(D(q.numerator), D(q.denominator))


def oracle(pairs):
    kept = [(p, Fraction(x)) for p, x in pairs if p]
    total = sum(p for p, _ in kept)
    mean = sum(p * x for p, x in kept) / total
    variance = sum(p * (x - mean) ** 2 for p, x in kept) / total
    return mean, variance


@st.composite
def value(draw):
    """Figures as entered (two places) or a 50-digit ratio of them, as the indicator values are."""
    a = draw(st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2))
    if draw(st.booleans()):
        return a
    b = draw(st.integers(min_value=1, max_value=5000))
    with working_context():
        return a / b


pairs_st = st.lists(st.tuples(st.integers(min_value=0, max_value=3000), value()), min_size=1, max_size=30).filter(
    lambda ps: any(p for p, _ in ps)
)


@given(pairs_st)
def test_the_mean_and_variance_are_the_exact_rationals_rounded_once_to_fifty_digits(pairs):
    stats = weighted_cv(pairs)
    mean, variance = oracle(pairs)
    assert stats.mean == rounded(mean)
    assert stats.variance == rounded(variance)
    with working_context():
        assert stats.sd == stats.variance.sqrt()
        assert stats.cv == (stats.sd / stats.mean if stats.mean else None)


@given(pairs_st)
def test_the_moments_give_the_values_of_the_former_deviations_at_120_digits(pairs):
    with working_context():
        new, old = weighted_cv(pairs), _weighted_cv_by_deviations(pairs)
    assert (new.n, new.students, new.mean, new.variance, new.sd, new.cv) == (
        old.n,
        old.students,
        old.mean,
        old.variance,
        old.sd,
        old.cv,
    )


@given(pairs_st, st.integers(min_value=0, max_value=30))
def test_moments_of_two_halves_add_up_to_those_of_the_whole(pairs, cut):
    whole = moments(pairs)
    halves = sum_moments([moments(pairs[:cut]), moments(pairs[cut:])])
    assert halves == whole
    assert str(halves.s1) == str(whole.s1) and str(halves.s2) == str(whole.s2)  # the same digits, not only value


def test_values_too_far_apart_to_sum_exactly_fall_back_to_the_deviations():
    pairs = [(3, D("1E+400")), (5, D("1E-400"))]
    m = moments(pairs)
    assert m.s1 is None and m.n == 2 and m.s0 == 8
    assert sum_moments([m, moments([(1, D(1))])]) == (3, 9, None, None)
    assert sum_moments([moments(pairs[:1]), moments(pairs[1:])]) == (2, 8, None, None)  # each exact, the sum not
    with working_context():
        assert cv_stats(m, lambda: pairs) == _weighted_cv_by_deviations(pairs)
    assert weighted_cv(pairs).mean == FIFTY.divide(D(3) * D("1E+400") + D(5) * D("1E-400"), D(8))


def test_a_worked_example_by_hand():
    """P = (1, 3), X = (2, 6): S0 = 4, S1 = 20, S2 = 112; X̄ = 5, variance = (4·112 − 400) / 16 = 3."""
    m = moments([(1, D(2)), (3, D(6))])
    assert m == (2, 4, D(20), D(112))
    stats = cv_stats(m, list)
    assert (stats.mean, stats.variance) == (D(5), D(3))
