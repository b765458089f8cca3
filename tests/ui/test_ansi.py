"""The fast ANSI decoder gives exactly what rich's `Text.from_ansi` gives."""

from __future__ import annotations

import plotext
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from rrp.widgets.ansi import text_from_ansi


def same(ansi: str) -> None:
    ours, theirs = text_from_ansi(ansi), Text.from_ansi(ansi)
    assert ours.plain == theirs.plain
    assert ours.spans == theirs.spans
    assert (ours.end, ours.tab_size, ours.style) == (theirs.end, theirs.tab_size, theirs.style)


def test_a_plotext_chart_decodes_the_same():
    plt = plotext
    plt.clear_figure()
    plt.plotsize(80, 20)
    plt.plot([3, 1, 4, 1, 5, 9, 2, 6], color=(200, 30, 30), marker="braille")
    plt.hline(3.5, color=(30, 30, 200))
    plt.title("restraint per 1,000 bed days")
    plt.xticks([0, 3, 7], ["5 Jan", "26 Jan", "23 Feb"])
    same(plt.build())


codes = st.sampled_from(["0", "1", "3", "4", "22", "38;5;9", "48;5;15", "38;2;10;20;30", "48;2;1;2;3", "",
                         "38;2;300;0;0", "38;5", "1;38;5;200;48;5;3", "39", "49", "x"])
pieces = st.one_of(st.text(alphabet="ab ⣿\n", max_size=5), codes.map(lambda c: f"\x1b[{c}m"))


@given(st.lists(pieces, max_size=30).map("".join))
def test_any_mix_of_text_and_colour_codes_decodes_the_same(ansi):
    same(ansi)


def test_other_escapes_are_left_to_rich():
    for ansi in ["a\rb", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "a\x1b[2Jb"]:
        same(ansi)
