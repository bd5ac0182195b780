"""Benchmarks for Liberated, run against a separate database: `python -m benchmarks <name>`.

Each benchmark is a module here with `run(args)`, registered in `__main__.py`. They share the
bench database (`database.py`) and the generated caseload (`data.py`).
"""
