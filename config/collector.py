"""Python's cycle collector in a worker process.

A worker's first second loads Django and the apps with their models, forms and views: well
over a hundred thousand objects that live as long as the process (templates and the URLconf,
loaded by the first requests, stay in the collector's reach). Left to the collector,
every full collection walks them all again (tens of milliseconds, every few hundred
requests) and each middle-generation collection walks those that have reached it.
`freeze_loaded()` moves everything alive at that moment into the collector's permanent
generation, which it never examines; what a request allocates is collected as before.
Measured in docs/performance.md (round eleven): the time a page spends in collections.
"""

import gc


def freeze_loaded() -> int:
    """Collect what loading left behind, then freeze everything still alive (the loaded
    application). Answers how many objects are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
