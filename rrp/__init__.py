"""rrp: a terminal app for a Reducing Restrictive Practice quality-improvement collaborative.

Layers (each imports only downward): models <- store <- reports <- widgets/screens <- app/cli.
Importing this package must stay cheap: nothing heavy (pandas, sqlite-utils, textual) here.
"""

__version__ = "0.1.0"
