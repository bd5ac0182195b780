"""A worker freezes what it loaded out of the cycle collector's reach (config/collector.py),
after collecting what loading left behind."""

import gc
import importlib
import sys
import weakref

import pytest


class Node:
    """Something that can be in a cycle and be watched with a weak reference."""


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def test_the_wsgi_application_freezes_what_is_loaded(unfrozen):
    gc.unfreeze()
    sys.modules.pop("config.wsgi", None)
    wsgi = importlib.import_module("config.wsgi")
    assert callable(wsgi.application)
    assert gc.get_freeze_count() > 10_000  # Django and the apps: well over a hundred thousand


def test_garbage_from_loading_is_collected_not_frozen(unfrozen):
    from config.collector import freeze_loaded

    gc.unfreeze()
    kept, dropped = Node(), Node()
    dropped.itself = dropped  # a cycle: only the collector frees it
    kept.itself = kept
    kept_ref, dropped_ref = weakref.ref(kept), weakref.ref(dropped)
    del dropped
    frozen = freeze_loaded()
    assert frozen == gc.get_freeze_count() > 0
    assert dropped_ref() is None
    assert kept_ref() is kept
    assert not any(o is kept for o in gc.get_objects())  # frozen: out of the collector's view
