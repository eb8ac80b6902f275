"""Server and load generator get whole physical cores: SMT siblings are never split between them."""

from harness.run.lifecycle import Pinning


def siblings(pairs):
    found = {}
    for pair in pairs:
        for cpu in pair:
            found[cpu] = set(pair)
    return found


def test_the_usual_x86_numbering_keeps_each_cores_siblings_on_one_side():
    # 8 threads on 4 cores, numbered 0-3 then their siblings 4-7: halving the numbers would split every core.
    pinning = Pinning.split(range(8), siblings([(0, 4), (1, 5), (2, 6), (3, 7)]))
    assert pinning.program == {0, 1, 4, 5} and pinning.helper == {2, 3, 6, 7} and not pinning.shared_cores


def test_without_smt_the_cpus_are_halved():
    pinning = Pinning.split([0, 1, 2, 3], siblings([(0,), (1,), (2,), (3,)]))
    assert pinning.program == {0, 1} and pinning.helper == {2, 3}


def test_one_core_with_two_threads_is_shared_and_says_so():
    pinning = Pinning.split([0, 1], siblings([(0, 1)]))
    assert pinning.shared_cores and "share physical cores" in pinning.describe()["cores"]


def test_one_cpu_pins_nothing():
    assert Pinning.split([0], {}).program is None
