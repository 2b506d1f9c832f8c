"""domain.memo.Memo: a pure function's result kept by the object's identity from one run to the next."""

from indicators.domain.memo import Memo, plain


def test_the_same_object_gives_last_runs_result_and_an_equal_new_object_is_computed_again():
    calls = []

    def double(xs):
        calls.append(xs)
        return [x * 2 for x in xs]

    memo = Memo()
    a = (1, 2)
    first = memo(double, a)
    memo.turn()
    assert memo(double, a) is first  # the same object: not computed again
    b = tuple([1, 2])  # equal, but another object
    assert memo(double, b) == [2, 4]
    assert calls == [a, b]


def test_an_entry_not_asked_for_during_a_run_is_forgotten_at_the_next():
    memo = Memo()
    a = (3,)
    memo(len, a)
    memo.turn()  # run 2: a not asked for
    memo.turn()  # run 3
    assert memo._old == {} and memo._new == {}


def test_the_key_tells_results_of_other_arguments_apart_and_plain_is_the_function_itself():
    def times(o, k):
        return o[0] * k

    memo = Memo()
    a = (5,)
    assert memo(times, a, 2, key=(2,)) == 10
    assert memo(times, a, 3, key=(3,)) == 15  # same object, another key: computed, not last call's 10
    assert plain(times, a, 4, key=(4,)) == 20


def test_a_carried_object_is_handed_to_the_next_run_while_asked_for_and_dropped_after_a_run_without_it():
    memo = Memo()
    first = memo.carried("assembly", list)
    first.append(1)
    memo.turn()
    assert memo.carried("assembly", list) is first  # the same object, as the last run left it
    memo.turn()  # a run that does not ask for it
    memo.turn()
    assert memo.carried("assembly", list) == []  # made again
