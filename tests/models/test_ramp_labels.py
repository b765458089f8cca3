"""PDSA ramp labels (rrp.models.pdsa.ramp_labels): unique within a ward for every shape of ramp.

A branched ramp (an adapted cycle started from a cycle that was not the ramp's latest) used to
repeat a label: two 'A3'. The hypothesis test builds random ramp forests - forks, cycle numbers
typed out of step, links to another ward's cycle or round a loop (as an import might bring) - and
checks that no two cycles of a ward share a label and that adding a cycle never relabels another.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from rrp.models.pdsa import PdsaCycle, ramp_labels

LABEL = re.compile(r"^([A-Z]+)([0-9]+)([a-z]*)$")


def cycle(n: int, *, previous: int | None = None, number: int = 1, ward: str = "NVT-ASH") -> PdsaCycle:
    """Cycle `n` (id c<n>): a ramp's first when `previous` is None."""
    return PdsaCycle.model_construct(
        id=f"c{n:04d}", ward_code=ward, change_idea_code="HUDDLE", title=f"Cycle {n}",
        cycle_number=1 if previous is None else number,
        previous_cycle_id=None if previous is None else f"c{previous:04d}",
    )


def test_a_fork_is_marked_and_its_followers_keep_the_mark() -> None:
    """A1 -> A2 -> A3 -> A4, and an adapted cycle 3 started again from A2: 'A3b', then 'A4b'."""
    cycles = [
        cycle(0), cycle(1, previous=0, number=2), cycle(2, previous=1, number=3), cycle(3, previous=2, number=4),
        cycle(4, previous=1, number=3), cycle(5, previous=4, number=4), cycle(6),
    ]
    labels = ramp_labels(cycles)
    assert [labels[c.id] for c in cycles] == ["A1", "A2", "A3", "A4", "A3b", "A4b", "B1"]
    # a second fork from A2, and a cycle typed with the same number as its previous one
    more = [*cycles, cycle(7, previous=1, number=3), cycle(8, previous=0, number=1)]
    labels = ramp_labels(more)
    assert labels["c0007"] == "A3c" and labels["c0008"] == "A1b"


def test_a_straight_ramp_has_no_marks() -> None:
    cycles = [cycle(0), *(cycle(i, previous=i - 1, number=i + 1) for i in range(1, 6))]
    assert list(ramp_labels(cycles).values()) == ["A1", "A2", "A3", "A4", "A5", "A6"]


@st.composite
def ramp_forests(draw: st.DrawFn) -> list[PdsaCycle]:
    """Cycles oldest first on one or two wards: each follows nothing, an earlier cycle, or (rarely,
    as an edited link or an import might) a later cycle or another ward's, numbered anyhow."""
    count = draw(st.integers(1, 40))
    cycles = []
    for n in range(count):
        ward = draw(st.sampled_from(["NVT-ASH", "NVT-ASH", "NVT-ASH", "NVT-BIRCH"]))
        kind = draw(st.sampled_from(["first", "earlier", "earlier", "earlier", "any"]))
        if kind == "first" or n == 0 and kind == "earlier":
            cycles.append(cycle(n, ward=ward))
            continue
        previous = draw(st.integers(0, n - 1 if kind == "earlier" else count - 1))
        if previous == n:
            cycles.append(cycle(n, ward=ward))
            continue
        number = draw(st.integers(1, 8))
        cycles.append(cycle(n, previous=previous, number=number, ward=ward))
    return cycles


@settings(max_examples=300, deadline=None)
@given(ramp_forests())
def test_no_two_cycles_of_a_ward_share_a_label(cycles: list[PdsaCycle]) -> None:
    labels = ramp_labels(cycles)
    assert set(labels) == {c.id for c in cycles}
    for ward in {c.ward_code for c in cycles}:
        shown = [labels[c.id] for c in cycles if c.ward_code == ward]
        assert len(shown) == len(set(shown)), shown
    for c in cycles:  # letter + the cycle's own number + a branch mark, nothing else
        match = LABEL.match(labels[c.id])
        assert match is not None and int(match.group(2)) == c.cycle_number
    # a new cycle comes last (oldest first) and no earlier cycle follows it yet: it never changes
    # an earlier cycle's label
    newest = cycles[-1].id
    if all(c.previous_cycle_id != newest for c in cycles[:-1]):
        earlier = ramp_labels(cycles[:-1])
        assert all(labels[key] == value for key, value in earlier.items())


def test_the_legend_words_say_what_the_labels_are() -> None:
    """RAMP_LABEL_KEY (the PDSA list's legend, the worksheet's help) reads the labels right: A2
    follows A1, B1 is another ramp, A3b is a second cycle 3 of ramp A (a branch)."""
    from rrp.models.pdsa import RAMP_LABEL_KEY

    cycles = [cycle(0), cycle(1, previous=0, number=2), cycle(2), cycle(3, previous=1, number=3),
              cycle(4, previous=1, number=3)]
    labels = [ramp_labels(cycles)[c.id] for c in cycles]
    assert labels == ["A1", "A2", "B1", "A3", "A3b"]
    assert RAMP_LABEL_KEY == "A2 follows A1; B1 is another ramp; A3b is a second cycle 3 of ramp A: a branch"
