"""Run rrp's command line in a child process and measure its peak memory growth.

Shared by the reliability and hostile-file suites: the child prints its peak RSS growth (MB) as
the last line of stderr, so a test can bound the memory a hostile file makes rrp take.
"""

#: Python source for the child: `python -c MEASURED ARGS...` runs `rrp ARGS...`.
MEASURED = r"""
import resource, sys
from rrp.cli import main
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    main(sys.argv[1:], standalone_mode=True)
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
else:
    code = 0
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write(f"\nPEAK_RSS_GROWTH_MB={(after - before) / 1024:.1f}\n")
sys.exit(code)
"""
