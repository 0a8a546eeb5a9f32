"""The MkDocs plugin (`plugins: - taizhang`): the only module that imports MkDocs. Load → check →
aggregate → pages, handed to MkDocs; its state lives on the plugin object, one per build.

Moving to another builder (ProperDocs, Zensical) means rewriting this module only.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from functools import partial
from hashlib import blake2b
from importlib import resources
from pathlib import Path

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from taizhang import text
from taizhang.labels import LABELS
from taizhang.history import git
from taizhang.rollup import pages as rollup_pages
from taizhang.rollup import units as rollup_units
from taizhang.history.commits import History
from taizhang.ledger.figures import Aggregate
from taizhang.ledger.public import named, public_ledger, public_nav
from taizhang.ledger.repository import Cache, as_of_date, load
from taizhang.site import downloads, fills, pages, pipeline
from taizhang.speed import parallel, timing
from taizhang.speed.store import Store

log = logging.getLogger("mkdocs.plugins.taizhang")
logging.getLogger("jieba").setLevel(logging.WARNING)  # its dictionary banner on every build is noise


class _Forward(logging.Handler):
    """The core's log (`taizhang`, which knows nothing of MkDocs) said through this plugin's, at
    the level MkDocs shows (`-v`, `-q`)."""

    def emit(self, record: logging.LogRecord) -> None:
        if log.isEnabledFor(record.levelno):
            log.handle(record)


_core = logging.getLogger("taizhang")
if not any(isinstance(h, _Forward) for h in _core.handlers):  # once, however often the module is loaded
    _core.addHandler(_Forward())
    _core.setLevel(logging.DEBUG)  # what shows is decided by MkDocs' level, in _Forward
    _core.propagate = False

# The site's own styles and scripts, shipped in the package: a ledger repository holds no code.
ASSETS = resources.files("taizhang.site") / "assets"
STYLES = ["assets/taizhang.css", "assets/print.css"]
SCRIPTS = ["assets/vendor/tablesort.min.js", "assets/vendor/tablesort.number.min.js", "assets/taizhang.js"]


class TaizhangPlugin(BasePlugin):
    """One ledger's site. Under `mkdocs serve` the same object sees every rebuild: `on_config`
    resets what belongs to one build and keeps what the next may reuse (parsed records, history,
    converted pages)."""

    def __init__(self) -> None:
        self.serving = False
        self.clock = timing.Clock()  # the plugin's own seconds per step, logged under `mkdocs build -v`
        self._forget(None)
        self._reset()

    def _forget(self, root: Path | None) -> None:
        """What rebuilds of one ledger reuse. MkDocs keeps one plugin object per process, which may
        build several ledgers (tests, scripts): another root starts afresh."""
        self.root = root
        self.cache = Cache()  # parsed records by content
        self.history: History | None = None  # reused while HEAD does not move
        # Under serve: page address → (its Markdown and what it was converted in, what Page.render made).
        self.converted: dict[str, tuple[tuple, tuple]] = {}

    def _reset(self) -> None:
        self.site: pipeline.Local | pipeline.Forked | None = None  # this build's pages
        self.uris: set[str] = set()
        self.parts: dict[str, fills.Fills] = {}  # a page's rich parts, from its Markdown's conversion to its end
        self.public = False  # TAIZHANG_PROFILE=public: staff pages (docs/*.md) stay out of the site
        self.broken = False  # the ledger has errors: the site is the error page
        self.downloads: Callable[[], downloads.Worker] | None = None  # starts the exports' process
        self.worker: downloads.Worker | None = None
        self.store: Store | None = None  # written by forked processes while the build goes on
        self.converting = b""  # a digest of what every page is converted in: files, Markdown settings
        self.reused = 0

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self._finish()
        self._reset()
        self.clock.reset()
        root = Path(config.config_file_path).parent
        if root != self.root:
            self._forget(root)
        if (root / rollup_units.CONFIG).exists() and not (root / "records").exists():  # a round's roll-up over units
            return self._rollup(config, root)
        records = str(root / "records")
        if records not in [str(Path(w)) for w in config.watch]:
            config.watch.append(records)
        config.extra_css[:0] = [s for s in STYLES if s not in config.extra_css]
        config.extra_javascript[:0] = [s for s in SCRIPTS if s not in config.extra_javascript]
        as_of = as_of_date()
        self.store = Store(root, aside=True)  # what the last build parsed and read, kept in the git directory
        with self.clock("load"):
            ledger, errors = load(root, as_of, self.cache.fill(self.store))
            self.cache.save(self.store)
        options = pages.Options(repo_url=config.repo_url, edit_uri=config.edit_uri,
                                public=os.environ.get("TAIZHANG_PROFILE") == "public",
                                directory_urls=config.use_directory_urls, commit=git.head(root))
        self.public = options.public
        if errors:
            for error in errors:
                log.warning("%s", error)
            self.broken = True
            self._start(pipeline.Local.listed(pages.error_pages(errors, options)))
            return config
        for error in named(ledger) if options.public else []:  # names typed into published text: --strict stops it
            log.warning("%s", error)
        with self.clock("aggregate"):
            agg = Aggregate(public_ledger(ledger) if options.public else ledger, as_of)
        if parallel.beside() and not parallel.off("downloads"):  # on another core, with the ledger checked here, once pages are converted (on_env)
            self.downloads = partial(downloads.Worker, root, as_of, options.public,
                                     lambda: pages.downloads(agg, options.public, options.commit))
            options.downloads = False
        else:
            parallel.refused("second process for the downloads", parallel.why_not_beside())
        config.site_name = text.html(ledger.title)
        if pages.OVERRIDES not in config.theme.dirs:  # the phone header's short title (site/overrides/main.html)
            config.theme.dirs.insert(0, pages.OVERRIDES)
        config.extra["tz_short_title"] = pages.short_title(ledger)
        for line in agg.mismatch_lines():
            log.info("%s", line)
        with self.clock("pages"):
            made = self._start(pipeline.start(agg, options, root, self.clock, self.history, self.store))
        self.history = made.history if isinstance(made, pipeline.Local) else None
        return config

    def _rollup(self, config: MkDocsConfig, root: Path) -> MkDocsConfig:
        """A roll-up repository: its pages from the units' exports. A unit without current figures is a
        warning (`--strict` stops) unless units.yml allows it; a wrong units.yml is the error site."""
        config.watch.append(str(root / rollup_units.CONFIG))
        config.extra_css[:0] = [s for s in STYLES if s not in config.extra_css]
        config.extra_javascript[:0] = [s for s in SCRIPTS if s not in config.extra_javascript]
        self.public = os.environ.get("TAIZHANG_PROFILE") == "public"
        try:
            with self.clock("rollup"):
                rollup, made = rollup_pages.site(root, as_of_date(), self.public)
        except rollup_units.ConfigError as exc:
            for error in exc.errors:
                log.warning("%s", error)
            self.broken = True
            self._start(pipeline.Local.listed(pages.error_pages(exc.errors, pages.Options())))
            return config
        for line in rollup.warnings():
            (log.info if rollup.config.allow_missing else log.warning)("%s", line)
        config.site_name = text.html(rollup.config.round)
        self._start(pipeline.Local.listed(made))
        return config

    def _start(self, made: pipeline.Local | pipeline.Forked) -> pipeline.Local | pipeline.Forked:
        self.site, self.uris = made, set()  # the paths are asked for when MkDocs has its files (on_files)
        return made

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        if self.public:  # the public site is figures and measures: hand-written pages are for staff
            for file in [f for f in files if f.is_documentation_page() and f.generated_by is None]:
                files.remove(file)
        for asset in _assets():
            if files.get_file_from_path(asset) is None:  # a ledger may override a style with its own file
                files.append(File.generated(config, asset, content=(ASSETS / asset.removeprefix("assets/")).read_bytes()))
        site = self.site
        self.uris = set(site.made.uris) if site else set()
        for uri in site.made.uris if site else []:
            existing = files.get_file_from_path(uri)
            if existing is not None:
                files.remove(existing)
            # A page's Markdown is read when MkDocs reads the page (on_pre_page); other files now.
            files.append(File.generated(config, uri, content="" if uri.endswith(".md") else site.content(uri)))
        for uri in downloads.uris(self.public) if self.downloads else []:  # written over once made (on_post_build)
            files.append(File.generated(config, uri, content=b""))
        if self.public and config.nav:
            config.nav = public_nav(config.nav, {f.src_uri for f in files})
        # A page's links are resolved against the other files, its Markdown read with these settings.
        converting = (config.config_file_path, *sorted(f.src_uri for f in files), config.use_directory_urls,
                      config.markdown_extensions, config.mdx_configs, config.validation)
        self.converting = blake2b(repr(converting).encode(), digest_size=16).digest()
        for uri in [u for u in self.converted if u not in self.uris]:  # a page gone (a record removed, say)
            del self.converted[uri]
        return files

    def on_pre_page(self, page: Page, config: MkDocsConfig, files: Files) -> Page:
        if self.site and page.file.src_uri in self.uris:
            with self.clock("pages"):
                page.file.content_string = self.site.content(page.file.src_uri)
            if self.serving and not parallel.off("reuse"):  # an edit changes a few pages: the others' Markdown need not be converted again
                page.render = partial(self._render_once, page, page.render)  # type: ignore[method-assign]
        return page

    def _render_once(self, page: Page, render: Callable[[MkDocsConfig, Files], None],
                     config: MkDocsConfig, files: Files) -> None:
        """`Page.render`, or what it made of the same Markdown among the same files at the last rebuild."""
        uri = page.file.src_uri
        source = (page.markdown, self.converting)
        found = self.converted.get(uri)
        if found is not None and found[0] == source:
            page.content, page.toc, page._title_from_render, page.present_anchor_ids, anchors = found[1]
            if anchors is not None:  # links to other pages' anchors, checked once every page is converted
                page.links_to_anchors = {files.get_file_from_path(target): links for target, links in anchors.items()}
            self.reused += 1
            return
        render(config, files)
        anchors = page.links_to_anchors
        self.converted[uri] = (source, (page.content, page.toc, page._title_from_render, page.present_anchor_ids,
                                        None if anchors is None else {f.src_uri: links for f, links in anchors.items()}))

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Record pages name their neighbours and record file in front matter; Material shows them.

        Material's footer links a page's previous_page/next_page and its edit button page.edit_url;
        record pages are not in the nav (too many), so MkDocs leaves these empty for them.
        """
        links = page.meta.get("taizhang") or {}
        for key in ("previous", "next"):
            found = files.get_file_from_path(links[key]) if links.get(key) else None
            if found is not None and found.page is not None:
                setattr(page, f"{key}_page", found.page)
        if links.get("edit_url"):
            page.edit_url = links["edit_url"]
        return markdown

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """A record page's tables go in after Markdown; the search plugin reads their light rendition."""
        if not self.site or page.file.src_uri not in self.uris:
            return html
        with self.clock("fill"):
            parts = self.site.parts(page.file.src_uri)
            if not any(key.startswith("light") for key in parts):  # not made by the second process
                parts = fills.lighten(parts)
            self.parts[page.file.src_uri] = parts
            return fills.light(html, parts)

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """The record tables' rich HTML, and bulk lists, go into the finished page: Markdown and the
        search index never parse them."""
        if not self.site or page.file.src_uri not in self.uris:
            return output
        with self.clock("fill"):
            output = fills.enrich(output, self.parts.pop(page.file.src_uri, {}))
            return fills.fill(output, self.site.fills(page.file.src_uri))

    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        """Every page is converted: the downloads are made beside the build while MkDocs writes pages."""
        if self.downloads:
            self.worker = self.downloads()
        return env

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.worker:
            with self.clock("downloads"):
                self.worker.wait()
                for uri, path in self.worker.files():  # over the empty files MkDocs wrote for them
                    shutil.copyfile(path, Path(config.site_dir) / uri)
        with self.clock("end"):  # the other processes' last words, the store written
            made = self._finish()
        for line in made.lines if made else []:  # the history's: information, a build without history passes --strict
            log.info("%s", line)
        log.debug("taizhang timings: %s", self.clock)
        if self.serving:
            log.debug("taizhang: the Markdown of %d pages converted at the last rebuild reused", self.reused)
        else:
            if self.broken:  # a plain build publishes the error page; --strict (as in CI) stops instead
                log.warning("%s", LABELS["error_site"])
        if made and made.clock:
            log.debug("taizhang second process: %s", timing.line(made.clock))

    def on_build_error(self, error: Exception) -> None:
        self._finish(stop=True)

    def _finish(self, stop: bool = False) -> pipeline.Made | None:
        """End this build's other processes (pages, downloads); wait until the store is written.
        Returns what the pages' making said: the history's notes, the second process's seconds."""
        made = None
        self.downloads = None
        if self.site:
            self.site.close(stop)
            made = self.site.made
            if isinstance(self.site, pipeline.Forked) and self.site.failed:
                log.info("taizhang: the second process failed, its pages were made here: %s", self.site.failed)
            self.site = None
        if self.worker:
            self.worker.close()
            self.worker = None
        if self.store:
            self.store.wait()
        return made


def _assets() -> list[str]:
    return STYLES + SCRIPTS + ["assets/vendor/LICENSE-tablesort.txt", "assets/vendor/VERSIONS.txt"]
