"""The README's keys table says what the screens do: checked against their BINDINGS both ways.

- Every key a screen's footer shows (a binding with show=True and a description) is named in the
  README row for that screen, or in the 'everywhere' row.
- Every key the README names for a screen is a binding of that screen, of the app, of a dialog
  the row describes (the screen's forms and questions, listed in ROWS), or a key every text
  field and list takes (FIELD_KEYS).

A key added to a screen without a word in the README fails here: add it to the README's row.
"""

from __future__ import annotations

import re
from importlib import import_module
from pathlib import Path

import pytest
from textual.binding import Binding

README = Path(__file__).resolve().parents[2] / "README.md"

#: README row -> the classes whose bindings it describes (the screen first, then its dialogs).
ROWS: dict[str, tuple[str, ...]] = {
    "everywhere": ("rrp.app:RrpApp", "rrp.screens.help:HelpScreen"),
    "home": ("rrp.screens.home:HomeScreen",),
    "huddle": ("rrp.screens.huddle:HuddleScreen", "rrp.screens.annotation_form:AnnotationForm",
               "rrp.screens.annotation_form:BaselineForm"),
    "dashboard": ("rrp.screens.dashboard:DashboardScreen", "rrp.screens.pack_folder:PackFolderScreen",
                  "rrp.screens.not_submitted:NotSubmittedScreen"),
    "log a week": ("rrp.screens.week_entry:WeekEntryScreen", "rrp.screens.week_dialogs:SureScreen",
                   "rrp.screens.week_dialogs:GoToWeekScreen", "rrp.screens.week_dialogs:ReasonScreen",
                   "rrp.screens.week_dialogs:WeekHistoryScreen", "rrp.screens.confirm:ConfirmScreen"),
    "measures": ("rrp.screens.measures:MeasuresScreen", "rrp.screens.measure_form:MeasureForm"),
    "monthly measures": ("rrp.screens.month_entry:MonthEntryScreen",),
    "PDSA cycles": ("rrp.screens.pdsa_list:PdsaListScreen",),
    "a PDSA cycle": ("rrp.screens.pdsa_edit:PdsaEditScreen",),
    "driver diagram": ("rrp.screens.driver_diagram:DriverDiagramScreen",
                       "rrp.screens.change_idea_form:ChangeIdeaForm"),
    "progress scores": ("rrp.screens.progress:ProgressScreen", "rrp.screens.progress:ScoreForm"),
    "data in and out": ("rrp.screens.data_io:DataIoScreen",),
}
#: The app's keys that work on the home screen only (rrp.app.HOME_ACTIONS): named in its row.
HOME_APP_KEYS = {"p", "d", "s"}
#: Keys every field, list and question takes without a binding of ours, and Textual's command
#: palette (App.COMMAND_PALETTE_BINDING).
FIELD_KEYS = {"tab", "shift+tab", "enter", "escape", "up", "down", "left", "right", "y", "n", "ctrl+p"}
#: The README's spelling of a key -> Textual's.
NAMES = {"esc": "escape", "pgup": "pageup", "pgdn": "pagedown", "enter": "enter", "tab": "tab"}
ARROWS = {"→": "right", "←": "left", "↑": "up", "↓": "down"}
KEY_LIKE = re.compile(r"^(?:F\d{1,2}|(?:Ctrl|Shift)\+\S+|Enter|Esc|Tab|PgUp|PgDn|\S)$")


def readme_rows() -> dict[str, str]:
    """The keys table: row name -> its keys cell."""
    text = README.read_text(encoding="utf-8")
    start = text.index("| where | keys |")
    rows = {}
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        name, keys = (cell.strip() for cell in line.strip("|").split("|", 1))
        rows[name] = keys
    return rows


def textual_key(written: str) -> str:
    """`Ctrl+S` -> ctrl+s, `F4` -> f4, `Esc` -> escape, `M` -> M (a capital stays)."""
    if len(written) == 1:
        return ARROWS.get(written, written)
    lowered = written.lower()
    return NAMES.get(lowered, lowered)


def named_keys(cell: str) -> set[str]:
    """Every key the cell names in backticks (`1`-`9` is the nine digits)."""
    keys = set()
    if re.search(r"`1`\s*-\s*`9`", cell):
        keys |= {str(d) for d in range(1, 10)}
    for written in re.findall(r"`([^`]+)`", cell):
        for part in written.split("/"):
            if KEY_LIKE.match(part):
                keys.add(textual_key(part))
    return keys


def bindings(target: str) -> list[Binding]:
    module, _, name = target.partition(":")
    cls = getattr(import_module(module), name)
    return [b for b in cls.BINDINGS if isinstance(b, Binding)]


def binding_keys(binding: Binding) -> set[str]:
    keys = set()
    for key in binding.key.split(","):
        key = key.strip()
        keys.add(key)
        if key.startswith("shift+") and len(key) == 7:  # shift+m is M
            keys.add(key[-1].upper())
    return keys


def test_the_table_has_a_row_for_every_screen() -> None:
    assert set(readme_rows()) == set(ROWS)


def test_named_keys_reads_the_readme_spelling() -> None:
    assert named_keys("`Ctrl+S` (or `F2`) save, `PgUp`/`PgDn` weeks, `Esc`, `M` (Shift+M), `of`") == {
        "ctrl+s", "f2", "pageup", "pagedown", "escape", "M",
    }
    assert named_keys("`1`-`9` a measure, `A1`, `A2` labels") == {str(d) for d in range(1, 10)}


@pytest.mark.parametrize("row", sorted(ROWS))
def test_every_footer_key_is_in_the_readme(row: str) -> None:
    rows = readme_rows()
    said = named_keys(rows[row]) | named_keys(rows["everywhere"])
    screen = ROWS[row][0]
    missing = [
        f"{b.key} ({b.description})"
        for b in bindings(screen)
        if b.show and b.description and not binding_keys(b) & said
        and not (row == "everywhere" and binding_keys(b) & HOME_APP_KEYS)
    ]
    if row == "home":
        missing += [k for k in HOME_APP_KEYS if k not in said]
    assert not missing, f"README keys table, row '{row}': add {missing}"


@pytest.mark.parametrize("row", sorted(ROWS))
def test_every_readme_key_is_a_real_binding(row: str) -> None:
    real = set(FIELD_KEYS)
    for target in (*ROWS[row], "rrp.app:RrpApp"):
        for binding in bindings(target):
            real |= binding_keys(binding)
    unknown = sorted(named_keys(readme_rows()[row]) - real)
    assert not unknown, f"README keys table, row '{row}' names keys no binding has: {unknown}"
