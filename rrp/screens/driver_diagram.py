"""The driver diagram: aim -> primary drivers -> secondary drivers -> change ideas, as a tree.

Each change idea shows how many wards are testing it now, and how many adopted, adapted or
abandoned it (each ward counted once, by its latest decision). A ward's own local ideas are marked.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, Tree

#: Under the aim: what the counts after each change idea mean (two letters, not case, tell them apart).
LEGEND = "Wards per change idea: T testing now, Ad adopted, Ap adapted, Ab abandoned."


class DriverDiagramScreen(Screen[None]):
    """The collaborative's theory of change, with PDSA activity per change idea."""

    DEFAULT_CSS = """
    #driver-help { height: auto; padding: 0 1; color: $text-muted; }
    #drivers { height: 1fr; }
    """

    BINDINGS = [
        Binding("e", "expand_all", "Expand all", id="drivers.expand"),
        Binding("x", "collapse_all", "Collapse", id="drivers.collapse"),
        Binding("escape", "back", "Back", id="drivers.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(LEGEND, id="driver-help")
        yield Tree("Aim", id="drivers")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#drivers", Tree).loading = True
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="drivers")
    def load(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        aim = store.change_package.aim()
        drivers = store.change_package.drivers()
        ideas = [s.idea for s in store.change_package.ideas(all_local=True)]
        activity = store.change_package.activity()
        self.app.call_from_thread(self.show, aim, drivers, ideas, activity)

    def show(self, aim: Any, drivers: list[Any], ideas: list[Any], activity: dict[str, Any]) -> None:
        tree = self.query_one("#drivers", Tree)
        tree.clear()
        # The aim is a sentence: it wraps in the line above the tree (a tree label cannot wrap).
        self.query_one("#driver-help", Static).update(
            Text.assemble(("Aim: ", "bold"), aim.text, (f" (target: {aim.reduction:.0%} fewer)", "italic"),
                          "\n", LEGEND)
        )
        tree.root.set_label(Text.assemble(("AIM ", "bold reverse"), f" {aim.reduction:.0%} fewer"))
        primaries = {d.code: tree.root.add(Text(d.name, style="bold"), expand=True)
                     for d in drivers if d.kind == "primary"}
        secondaries = {}
        for driver in drivers:
            if driver.kind == "secondary" and driver.parent_code in primaries:
                secondaries[driver.code] = primaries[driver.parent_code].add(Text(driver.name), expand=True)
        for idea in ideas:
            parent = secondaries.get(idea.driver_code)
            if parent is None:
                continue
            stats = activity.get(idea.code)
            label = Text(idea.name + (f" (local: {idea.ward_code})" if idea.ward_code else ""))
            if stats is not None:
                label.append(f"  T{stats.testing} Ad{stats.adopted} Ap{stats.adapted} Ab{stats.abandoned}",
                             style="bold" if stats.testing or stats.adopted else "dim")
            node = parent.add(label, expand=False, data=idea.code)
            if idea.description:
                node.add_leaf(Text(idea.description, style="italic dim"))
        tree.root.expand()
        tree.loading = False
        tree.focus()

    def action_expand_all(self) -> None:
        self.query_one("#drivers", Tree).root.expand_all()

    def action_collapse_all(self) -> None:
        tree = self.query_one("#drivers", Tree)
        tree.root.collapse_all()
        tree.root.expand()

    def action_back(self) -> None:
        self.dismiss()
