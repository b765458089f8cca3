"""Command palette (Ctrl+P): every action of the current screen, found by typing its name.

Built from the screen's own bindings (bindings as data), so the palette, the footer and F1 help
always offer the same actions, and an action whose key a terminal does not deliver can still be
run by name.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenActions(Provider):
    """The actions bound on the screen the palette was opened from, and the app's own."""

    def _actions(self) -> list[tuple[str, str, object]]:
        seen: set[str] = set()
        actions = []
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in seen:
                continue
            if binding.action in {"command_palette", "quit"}:
                continue  # the palette itself, and Quit which Textual already lists
            seen.add(binding.action)
            name = binding.tooltip or binding.description
            help_text = f"{binding.description} (key: {binding.key_display or key})"
            actions.append((name, help_text, partial(active.node.run_action, binding.action)))
        return actions

    async def discover(self) -> Hits:
        for name, help_text, run in self._actions():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
