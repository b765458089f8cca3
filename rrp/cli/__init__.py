"""The `rrp` command: with no sub-command it opens the app; sub-commands run headless.

Each sub-command lives in its own module and is registered below. Modules import their heavy
dependencies inside the command function, so `rrp --help` and app start-up stay fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from rrp import __version__
from rrp.cli.admin import admin, copy_cmd
from rrp.cli.common import RrpGroup, db_option, resolve_db, store_errors
from rrp.cli.data import backup_cmd, export_cmd, import_cmd, restore_cmd
from rrp.cli.pdsa import pdsa
from rrp.cli.setup import demo, init


@click.group(cls=RrpGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.version_option(__version__, prog_name="rrp")
@click.pass_context
@store_errors
def main(ctx: click.Context, db_path: Path | None) -> None:
    """rrp: log, chart and share a Reducing Restrictive Practice collaborative's data.

    Run `rrp` to open the app, `rrp demo` for a synthetic collaborative to try it on.
    """
    if ctx.invoked_subcommand is None:
        from rrp.app import run_app

        run_app(resolve_db(db_path))


main.add_command(init)
main.add_command(admin)
main.add_command(copy_cmd)
main.add_command(demo)
main.add_command(pdsa)
main.add_command(import_cmd)
main.add_command(export_cmd)
main.add_command(backup_cmd)
main.add_command(restore_cmd)

from rrp.cli.chart import chart  # noqa: E402 - registered after the group is defined

main.add_command(chart)

from rrp.cli.report import report  # noqa: E402 - registered after the group is defined

main.add_command(report)

import rrp.cli.measures  # noqa: E402, F401 - adds `import measures` and `import values`
import rrp.cli.report_collab  # noqa: E402, F401 - adds `report collaborative` and `report pack`
from rrp.cli.keys import keys  # noqa: E402 - registered after the group is defined
from rrp.cli.serve import serve  # noqa: E402

main.add_command(keys)

main.add_command(serve)

from rrp.cli.week import week  # noqa: E402

main.add_command(week)
