"""Apache ECharts for the situation board's page, from the npm registry into the cache (once).

The board serves ``echarts.min.js`` from ``<cache>/echarts-<version>/``; the minified library is
never committed. Without it the board still runs and its page shows numbers without charts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from . import cache, tools
from .config import ECHARTS_VERSION, StackConfig
from .errors import StackError
from .tools import Echo

STAMP = f"npm:echarts@{ECHARTS_VERSION}"
NPM_HINT = ("install Node.js with npm (Debian: apt-get install nodejs npm) and check access to the "
            "npm registry (npm's proxy settings), then retry `towngrid-stack setup`")


def is_set_up(cfg: StackConfig) -> bool:
    return cache.is_complete(cfg.echarts_home, STAMP) and cfg.echarts_js.is_file()


def setup(cfg: StackConfig, echo: Echo) -> Path:
    """``npm install echarts@<version>`` into ``<cache>/echarts-<version>/`` (once); returns the
    path of ``echarts.min.js``."""
    if is_set_up(cfg):
        return cfg.echarts_js
    npm = shutil.which("npm")
    if not npm:
        raise StackError(f"[echarts] npm is needed once, to fetch Apache ECharts for the board's page, "
                         f"but `npm` was not found on PATH. To fix: {NPM_HINT}.")

    def install(tmp: Path) -> None:
        echo(f"[echarts] npm install echarts@{ECHARTS_VERSION} (first run)")
        (tmp / "package.json").write_text('{"private": true}\n', encoding="utf-8")
        tools.run_streaming([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts",
                             "--loglevel=error", "--save-exact", f"echarts@{ECHARTS_VERSION}"],
                            step=f"[echarts] npm install echarts@{ECHARTS_VERSION}", echo=echo,
                            cwd=tmp, hint=NPM_HINT)
        if not (tmp / cfg.echarts_js.relative_to(cfg.echarts_home)).is_file():
            raise StackError(f"[echarts] npm installed echarts@{ECHARTS_VERSION} but its "
                             f"dist/echarts.min.js is missing")

    cache.install_dir(cfg.echarts_home, STAMP, install)
    echo(f"[echarts] ready: {cfg.echarts_js}")
    return cfg.echarts_js
