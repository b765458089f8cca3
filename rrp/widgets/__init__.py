"""Reusable widgets: the week form, charts, icons, pickers. Screens compose them."""
