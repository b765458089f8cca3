"""Hostile files through every reader and every entry point (fixtures in hostile_helpers)."""
