"""The driver diagram: aim -> primary drivers -> secondary drivers -> change ideas, as a tree.

Each change idea shows how many wards are testing it now, and how many adopted, adapted or
abandoned it (each ward counted once, by its latest decision). A ward's own local ideas are marked.

`n` adds a change idea (to the collaborative's package, or local to a ward: the ward the screen was
opened for, if any) under the highlighted secondary driver; `e` edits the highlighted idea's name
and description (rrp/screens/change_idea_form.py). After a save the tree reloads on the idea.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, Tree
from textual.widgets.tree import TreeNode

from rrp.reports.user_text import user_text
from rrp.screens.worker_errors import ReportsWorkerErrors
from rrp.widgets.loading import start_loading, stop_loading

#: Under the aim: what the counts after each change idea mean (two letters, not case, tell them apart).
LEGEND = "Wards per change idea: T testing now, Ad adopted, Ap adapted, Ab abandoned."


class NodeRef(NamedTuple):
    """What a tree node stands for: kind "driver" (a secondary driver) or "idea", and its code."""

    kind: str
    code: str


class DriverDiagramScreen(ReportsWorkerErrors, Screen[None]):
    """The collaborative's theory of change, with PDSA activity per change idea."""

    DEFAULT_CSS = """
    #driver-help { height: auto; padding: 0 1; color: $text-muted; }
    #drivers { height: 1fr; }
    """

    BINDINGS = [
        Binding("n", "new_idea", "New idea", id="drivers.new_idea",
                tooltip="Add a change idea (collaborative, or local to a ward)"),
        Binding("e", "edit_idea", "Edit idea", id="drivers.edit_idea",
                tooltip="Edit the highlighted idea's name and description"),
        Binding("a", "expand_all", "Expand all", id="drivers.expand"),
        Binding("x", "collapse_all", "Collapse", id="drivers.collapse"),
        Binding("escape", "back", "Back", id="drivers.back"),
    ]

    def __init__(self, ward_code: str | None = None) -> None:
        """`ward_code`: the ward this was opened for (new ideas default to local to it)."""
        super().__init__()
        self.ward_code = ward_code
        self.drivers: list[Any] = []
        self.wards: list[Any] = []
        self.ideas: list[Any] = []  # StoredChangeIdea, every ward's local ones too
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(LEGEND, id="driver-help")
        yield Tree("Aim", id="drivers")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        start_loading(self.query_one("#drivers", Tree))
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="drivers")
    def load(self, select: str | None = None) -> None:
        """Read the package (and the wards, for the idea form); `select`: an idea to show after."""
        store = self.app.store  # type: ignore[attr-defined]
        aim = store.change_package.aim()
        drivers = store.change_package.drivers()
        stored = store.change_package.ideas(all_local=True)
        activity = store.change_package.activity()
        wards = store.registry.wards(active_only=True)
        self.app.call_from_thread(self._loaded, aim, drivers, stored, activity, wards, select)

    def _loaded(self, aim: Any, drivers: list[Any], stored: list[Any], activity: dict[str, Any],
                wards: list[Any], select: str | None) -> None:
        self.drivers, self.ideas, self.wards = drivers, stored, wards
        self.show(aim, drivers, [s.idea for s in stored], activity)
        self.loaded = True
        if select is not None:
            self._show_idea(select)

    def show(self, aim: Any, drivers: list[Any], ideas: list[Any], activity: dict[str, Any]) -> None:
        tree = self.query_one("#drivers", Tree)
        tree.clear()
        # The aim is a sentence: it wraps in the line above the tree (a tree label cannot wrap).
        self.query_one("#driver-help", Static).update(
            Text.assemble(("Aim: ", "bold"), user_text(aim.text, multi_line=True), (f" (target: {aim.reduction:.0%} fewer)", "italic"),
                          "\n", LEGEND)
        )
        tree.root.set_label(Text.assemble(("AIM ", "bold reverse"), f" {aim.reduction:.0%} fewer"))
        primaries = {d.code: tree.root.add(user_text(d.name, "bold"), expand=True)
                     for d in drivers if d.kind == "primary"}
        secondaries = {}
        for driver in drivers:
            if driver.kind == "secondary" and driver.parent_code in primaries:
                secondaries[driver.code] = primaries[driver.parent_code].add(
                    user_text(driver.name), expand=True, data=NodeRef("driver", driver.code)
                )
        for idea in ideas:
            parent = secondaries.get(idea.driver_code)
            if parent is None:
                continue
            stats = activity.get(idea.code)
            label = user_text(idea.name + (f" (local: {idea.ward_code})" if idea.ward_code else ""))
            if stats is not None:
                label.append(f"  T{stats.testing} Ad{stats.adopted} Ap{stats.adapted} Ab{stats.abandoned}",
                             style="bold" if stats.testing or stats.adopted else "dim")
            node = parent.add(label, expand=False, data=NodeRef("idea", idea.code))
            if idea.description:
                node.add_leaf(user_text(idea.description, "italic dim"))
        tree.root.expand()
        stop_loading(tree)
        tree.focus()

    # -- change ideas ----------------------------------------------------------------------

    def _highlighted(self) -> NodeRef | None:
        """The highlighted idea or secondary driver (a description line counts as its idea)."""
        node: TreeNode[Any] | None = self.query_one("#drivers", Tree).cursor_node
        while node is not None and not isinstance(node.data, NodeRef):
            node = node.parent if node.parent is not None and node.parent.parent is not None else None
        return node.data if node is not None else None

    def action_new_idea(self) -> None:
        if not self.loaded:
            return
        from rrp.screens.change_idea_form import ChangeIdeaForm

        ref = self._highlighted()
        driver_code = None
        if ref is not None and ref.kind == "driver":
            driver_code = ref.code
        elif ref is not None:
            driver_code = next((s.idea.driver_code for s in self.ideas if s.idea.code == ref.code), None)
        self.app.push_screen(
            ChangeIdeaForm(drivers=self.drivers, wards=self.wards, ideas=self.ideas,
                           ward_code=self.ward_code, driver_code=driver_code),
            self._idea_saved,
        )

    def action_edit_idea(self) -> None:
        if not self.loaded:
            return
        from rrp.screens.change_idea_form import ChangeIdeaForm

        ref = self._highlighted()
        stored = next((s for s in self.ideas if ref is not None and ref.kind == "idea" and s.idea.code == ref.code),
                      None)
        if stored is None:
            self.notify("Highlight a change idea to edit it.", severity="warning", timeout=3)
            return
        self.app.push_screen(
            ChangeIdeaForm(drivers=self.drivers, wards=self.wards, ideas=self.ideas, stored=stored),
            self._idea_saved,
        )

    def _idea_saved(self, stored: Any) -> None:
        if stored is None:
            return
        idea = stored.idea
        where = f"local to {idea.ward_code}" if idea.ward_code else "collaborative"
        self.notify(f"Change idea {idea.code} saved ({where}, version {stored.version}).", timeout=4)
        start_loading(self.query_one("#drivers", Tree))
        self.load(select=idea.code)

    def _show_idea(self, code: str) -> None:
        """Move the cursor to an idea's node (its drivers expanded) and scroll it into view."""
        tree = self.query_one("#drivers", Tree)
        stack: list[TreeNode[Any]] = [tree.root]
        while stack:
            node = stack.pop()
            if node.data == NodeRef("idea", code):
                parent = node.parent
                while parent is not None:
                    parent.expand()
                    parent = parent.parent
                self.call_after_refresh(tree.move_cursor, node)
                return
            stack.extend(node.children)

    def action_expand_all(self) -> None:
        self.query_one("#drivers", Tree).root.expand_all()

    def action_collapse_all(self) -> None:
        tree = self.query_one("#drivers", Tree)
        tree.root.collapse_all()
        tree.root.expand()

    def action_back(self) -> None:
        self.dismiss()
