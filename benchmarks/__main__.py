"""`python -m benchmarks <name> [options]`; `make bench BENCH_ARGS="search"`.

To add a benchmark: write `benchmarks/<name>.py` with `run(args)` and add its subparser below.
Django is set up (on the bench database) before the module is imported.
"""

import argparse
import importlib

from benchmarks import database

# Benchmarks that fill a database of their own rather than the large council's.
# (The subcommands share the common options' objects, so a per-command default set on one
# subparser would change every command's default: it is resolved in main() instead.)
OWN_DATABASE = {"overhead": "_overhead", "exports": "_export"}


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", default=None,
                        help="bench database (its name must contain 'bench'); default: "
                             f"{database.DEFAULT_URL}, or a database of its own for "
                             f"{', '.join(OWN_DATABASE)}")
    common.add_argument("--reset", action="store_true",
                        help="drop and recreate the bench database, then generate the data")
    common.add_argument("--teams", type=int, default=25, help="default: %(default)s")
    common.add_argument("--scale", type=float, default=1.0,
                        help="multiply every count (not the teams): 1.0 is a large council "
                             "(20,000 cases, 500,000 contacts, 200,000 purchases, 5,000 issues, "
                             "15,000 debriefs, 400,000 entries); default: %(default)s")
    common.add_argument("--cases", type=int, default=None,
                        help="number of cases; default: 20,000 × scale")

    main = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = main.add_subparsers(dest="command", required=True, metavar="<name>")
    commands.add_parser("data", parents=[common],
                        help="generate (or reuse) a large council's data")
    search = commands.add_parser("search", parents=[common],
                                 help="time search_cases over 200 seeded queries")
    search.add_argument("--target-ms", type=float, default=100.0,
                        help="p95 target in ms; default: %(default)s")
    pages = commands.add_parser("pages", parents=[common],
                                help="key pages under load: gunicorn + wrk, signed in per role")
    pages.add_argument("--duration", type=int, default=10,
                       help="seconds of wrk per page; default: %(default)s")
    pages.add_argument("--growth", action="store_true",
                       help="run at --small-scale first (own database) and compare p50s")
    pages.add_argument("--small-scale", type=float, default=0.1, help="default: %(default)s")
    pages.add_argument("--small-database-url", default=database.DEFAULT_URL + "_small",
                       help="default: %(default)s")
    pages.add_argument("--profile", action="store_true",
                       help="afterwards, count each page's queries and show the slowest")
    pages.add_argument("--json", help="also write the results to this file")
    pages.add_argument("--workers", type=int, default=4,
                       help="gunicorn worker processes; default: %(default)s")
    pages.add_argument("--threads", type=int, default=1,
                       help="threads per worker (gthread); 1 runs sync workers; "
                            "default: %(default)s")
    pages.add_argument("--only", default="",
                       help="comma-separated words: only pages whose name holds one of them "
                            "(healthz is always measured)")
    overhead = commands.add_parser("overhead", parents=[common],
                                   help="CPU per request: /healthz beside a signed-in trivial page")
    overhead.add_argument("--requests", type=int, default=500,
                          help="requests per page; default: %(default)s")
    cpu = commands.add_parser("cpu", parents=[common],
                              help="each key page in-process: CPU, queries and SQL time per "
                                   "request, with an optional profile")
    cpu.add_argument("--requests", type=int, default=20, help="per page; default: %(default)s")
    cpu.add_argument("--only", default="",
                     help="comma-separated words: only pages whose name holds one of them")
    cpu.add_argument("--profile", action="store_true", help="print each page's cProfile")
    cpu.add_argument("--slowest", type=int, default=0,
                     help="print each page's slowest queries; default: %(default)s")
    cpu.add_argument("--sql-chars", type=int, default=300, help="default: %(default)s")
    cpu.add_argument("--sort", default="tottime", help="profile order; default: %(default)s")
    cpu.add_argument("--lines", type=int, default=30, help="profile lines; default: %(default)s")
    cpu.add_argument("--phases", default="",
                     help="comma-separated module:function (or module:Class.method): the mean "
                          "CPU per request spent inside each")
    cpu.add_argument("--forget", action="store_true",
                     help="empty the cache before each request: each page as it is worked "
                          "out, not as it is kept (the spend overview after a write)")
    cpu.add_argument("--unfrozen", action="store_true",
                     help="leave what is loaded in the cycle collector's reach (a worker "
                          "freezes it: config/collector.py)")
    cpu.add_argument("--callers", default="",
                     help="with --profile, also who calls the functions matching this pattern")
    exports = commands.add_parser("exports", parents=[common],
                                  help="the auditor export of 100,000 and 1,000,000 purchases "
                                       "through gunicorn, beside COPY")
    exports.add_argument("--rows", default="100000,1000000",
                         help="purchases, comma-separated; default: %(default)s")
    exports.add_argument("--formats", default="csv,xlsx", help="default: %(default)s")
    exports.add_argument("--timeout", type=int, default=3600,
                         help="gunicorn worker timeout in seconds; default: %(default)s")
    return main


def main() -> None:
    args = parser().parse_args()
    if args.database_url is None:
        args.database_url = database.DEFAULT_URL + OWN_DATABASE.get(args.command, "")
    database.setup_django(args.database_url, reset=args.reset)
    importlib.import_module(f"benchmarks.{args.command}").run(args)


if __name__ == "__main__":
    main()
