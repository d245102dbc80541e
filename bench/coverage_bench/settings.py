"""Shouhou's own settings, plus a URLconf with one bare view (bench/coverage_bench/urls.py)."""

from shouhou.core.settings import *  # noqa: F403

ROOT_URLCONF = "coverage_bench.urls"
