"""The MkDocs hook: the only module that imports MkDocs. Load → check → aggregate → render.

Moving to another builder (ProperDocs, Zensical) means rewriting this module only.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from functools import partial
from hashlib import blake2b
from pathlib import Path

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from taizhang.site import fills
from taizhang.site import downloads
from taizhang.site import pipeline
from taizhang.site import pages
from taizhang import text
from taizhang.speed import timing
from taizhang.ledger.figures import Aggregate
from taizhang.history.commits import History
from taizhang.ledger.repository import Cache, as_of_date, load
from taizhang.ledger.public import named, public_ledger, public_nav
from taizhang.speed.store import Store

log = logging.getLogger("mkdocs.plugins.taizhang")
logging.getLogger("jieba").setLevel(logging.WARNING)  # its dictionary banner on every build is noise

# Module state survives rebuilds under `mkdocs serve`; on_config resets what must not.
_cache = Cache()
_history: History | None = None  # reused while HEAD does not move: a rebuild reads only uncommitted edits
_site: pipeline.Local | pipeline.Forked | None = None  # this build's pages, made as MkDocs reads them
_uris: set[str] = set()
_public = False  # TAIZHANG_PROFILE=public: staff pages (docs/*.md) stay out of the site
_clock = timing.Clock()  # the hook's own seconds per step, logged under `mkdocs build -v`
_downloads: Callable[[], downloads.Worker] | None = None  # starts the second process that makes this build's exports
_worker: downloads.Worker | None = None  # that process, once started
_store: Store | None = None  # written by forked processes while the build goes on
_serving = False  # under `mkdocs serve`: rebuilds run beside the server's threads
_zygote: pipeline.Zygote | None = None  # forks the pages' process of each rebuild under `mkdocs serve`
# Under `mkdocs serve`: page address → (its Markdown and what it was converted in, what Page.render made).
_converted: dict[str, tuple[tuple, tuple]] = {}
_converting = b""  # a digest of what every page of this build is converted in: the files, the Markdown settings
_reused = 0  # pages of this build whose conversion was reused


def on_startup(*, command: str, dirty: bool) -> None:
    global _serving
    _serving = command == "serve"


def on_shutdown() -> None:
    global _zygote
    if _zygote is not None:
        _zygote.close()
        _zygote = None


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _site, _uris, _public, _history, _downloads, _store, _zygote
    _finish()
    _clock.reset()
    root = Path(config.config_file_path).parent
    records = str(root / "records")
    if records not in [str(Path(w)) for w in config.watch]:
        config.watch.append(records)
    as_of = as_of_date()
    _store = Store(root, aside=True)  # what the last build parsed and read, kept in the git directory
    with _clock("load"):
        ledger, errors = load(root, as_of, _cache.fill(_store))
        _cache.save(_store)
    options = pages.Options(repo_url=config.repo_url, edit_uri=config.edit_uri,
                           public=os.environ.get("TAIZHANG_PROFILE") == "public",
                           directory_urls=config.use_directory_urls)
    _public = options.public
    if errors:
        for error in errors:
            log.warning("%s", error)
        _start(pipeline.Local.listed(pages.error_pages(errors, options)))
        return config
    for error in named(ledger) if options.public else []:  # names typed into published text: --strict stops it
        log.warning("%s", error)
    with _clock("aggregate"):
        agg = Aggregate(public_ledger(ledger) if options.public else ledger, as_of)
    if downloads.parallel():  # on another core, with the ledger checked here, once pages are converted (on_env)
        _downloads = partial(downloads.Worker, root, as_of, options.public, lambda: pages.downloads(agg, options.public))
        options.downloads = False
    config.site_name = text.html(ledger.title)
    if pages.OVERRIDES not in config.theme.dirs:  # the phone header's short title (site/overrides/main.html)
        config.theme.dirs.insert(0, pages.OVERRIDES)
    config.extra["tz_short_title"] = pages.short_title(ledger)
    for line in _mismatches(agg):
        log.info("%s", line)
    if _serving and _zygote is None and pipeline.forkable():  # the first build, before the server's threads start
        _zygote = pipeline.Zygote()
    with _clock("pages"):
        made = _start(pipeline.start(agg, options, root, _clock, _history, _store, _zygote))
    _history = made.history if isinstance(made, pipeline.Local) else None
    return config


def _start(made: pipeline.Local | pipeline.Forked) -> pipeline.Local | pipeline.Forked:
    global _site, _uris
    _site, _uris = made, set()  # the paths are asked for when MkDocs has its files (on_files)
    return made


def _mismatches(agg: Aggregate) -> list[str]:
    return [f"records/ledger.yml: declared.{key}: 反馈数为 {declared}，台账实际为 {counted}"
            for key, declared, counted in agg.mismatches()]


def on_files(files: Files, config: MkDocsConfig) -> Files:
    global _uris, _converting, _reused
    if _public:  # the public site is figures and measures: hand-written pages are for staff
        for file in [f for f in files if f.is_documentation_page() and f.generated_by is None]:
            files.remove(file)
    _uris = set(_site.made.uris) if _site else set()
    for uri in _site.made.uris if _site else []:
        existing = files.get_file_from_path(uri)
        if existing is not None:
            files.remove(existing)
        # A page's Markdown is read when MkDocs reads the page (on_pre_page); other files now.
        files.append(File.generated(config, uri, content="" if uri.endswith(".md") else _site.content(uri)))
    for uri in downloads.uris(_public) if _downloads else []:  # written over once made (on_post_build)
        files.append(File.generated(config, uri, content=b""))
    if _public and config.nav:
        config.nav = public_nav(config.nav, {f.src_uri for f in files})
    # A page's links are resolved against the other files, its Markdown read with these settings.
    converting = (config.config_file_path, *sorted(f.src_uri for f in files), config.use_directory_urls,
                  config.markdown_extensions, config.mdx_configs, config.validation)
    _converting = blake2b(repr(converting).encode(), digest_size=16).digest()
    _reused = 0
    for uri in [u for u in _converted if u not in _uris]:  # a page gone (a record removed, say)
        del _converted[uri]
    return files


def on_pre_page(page: Page, config: MkDocsConfig, files: Files) -> Page:
    if _site and page.file.src_uri in _uris:
        with _clock("pages"):
            page.file.content_string = _site.content(page.file.src_uri)
        if _serving:  # an edit changes a few pages: the others' Markdown need not be converted again
            page.render = partial(_render_once, page, page.render)  # type: ignore[method-assign]
    return page


def _render_once(page: Page, render: Callable[[MkDocsConfig, Files], None], config: MkDocsConfig, files: Files) -> None:
    """`Page.render`, or what it made of the same Markdown among the same files at the last rebuild."""
    global _reused
    uri = page.file.src_uri
    source = (page.markdown, _converting)
    found = _converted.get(uri)
    if found is not None and found[0] == source:
        page.content, page.toc, page._title_from_render, page.present_anchor_ids, anchors = found[1]
        if anchors is not None:  # links to other pages' anchors, checked once every page is converted
            page.links_to_anchors = {files.get_file_from_path(target): links for target, links in anchors.items()}
        _reused += 1
        return
    render(config, files)
    anchors = page.links_to_anchors
    _converted[uri] = (source, (page.content, page.toc, page._title_from_render, page.present_anchor_ids,
                                None if anchors is None else {f.src_uri: links for f, links in anchors.items()}))


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
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


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """A record page's tables go in after Markdown, before the search plugin reads the page."""
    if not _site or page.file.src_uri not in _uris:
        return html
    with _clock("fill"):
        return fills.fill(html, _site.parts(page.file.src_uri), "part")


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Bulk lists go into the finished page: Markdown and the search index never parse them."""
    if not _site or page.file.src_uri not in _uris:
        return output
    with _clock("fill"):
        return fills.fill(output, _site.fills(page.file.src_uri))


def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    """Every page is converted: the second process making pages is past its busiest part, and the
    downloads are made beside it while MkDocs writes pages (on two cores, a third process running
    earlier would take turns with the build)."""
    global _worker
    if _downloads:
        _worker = _downloads()
    return env


def on_post_build(config: MkDocsConfig) -> None:
    if _worker:
        with _clock("downloads"):
            _worker.wait()
            for uri, path in _worker.files():  # over the empty files MkDocs wrote for them
                shutil.copyfile(path, Path(config.site_dir) / uri)
    with _clock("end"):  # the other processes' last words, the store written
        made = _finish()
    for line in made.lines if made else []:  # the history's: information, a build without history passes --strict
        log.info("%s", line)
    log.debug("taizhang timings: %s", _clock)
    if _serving:
        log.debug("taizhang: the Markdown of %d pages converted at the last rebuild reused", _reused)
    if made and made.clock:
        log.debug("taizhang second process: %s", timing.line(made.clock))


def on_build_error(error: Exception) -> None:
    _finish(stop=True)


def _finish(stop: bool = False) -> pipeline.Made | None:
    """End this build's other processes (pages, downloads); wait until the store is written.
    Returns what the pages' making said: the history's notes, the second process's seconds."""
    global _worker, _site, _downloads
    made = None
    _downloads = None
    if _site:
        _site.close(stop)
        made = _site.made
        if isinstance(_site, pipeline.Forked) and _site.failed:
            log.debug("taizhang second process failed, its pages were made here: %s", _site.failed)
        _site = None
    if _worker:
        _worker.close()
        _worker = None
    if _store:
        _store.wait()
    return made
