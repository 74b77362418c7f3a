"""MkDocs hooks for the benchmark's plain `mkdocs build`: only what the theme's templates need
to render (the site settings and one filter), so the same theme builds the same Markdown
without the medguide plugin. Named in the generated config's `hooks:`."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from generator.model.records import SiteSettings
from generator.render.theme import split_title


def on_env(env, config, files):
    site_yaml = Path(os.environ["MEDGUIDE_BENCH_SITE_YAML"])
    env.globals["site_settings"] = SiteSettings.model_validate(
        yaml.safe_load(site_yaml.read_text(encoding="utf-8")))
    env.filters["split_title"] = split_title
    return env
