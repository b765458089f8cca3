"""Reliability tests: concurrency, crashes, hostile files, broken databases, a responsive UI."""
