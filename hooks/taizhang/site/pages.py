"""The site as a list of generated pages (Markdown and downloads) from one aggregate.

Pure: knows nothing of MkDocs. The hook hands these pages to whatever builds the site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property, partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

import jinja2

from taizhang.site import charts
from taizhang.ledger import export
from taizhang import labels
from taizhang.site import rows
from taizhang import text
from taizhang.ledger.figures import Aggregate, Row, percent
from taizhang.site.fills import ROOT, Bulk, Fills, address, href, up
from taizhang.errors import Error
from taizhang.history.commits import History, Pending
from taizhang.ledger.records import Problem
from taizhang.speed.store import collector_paused
from taizhang.history.timeline import Story
from taizhang.reports import dated
from taizhang.reports.assessment import Assessment
from taizhang.reports.due import Supervision
from taizhang.reports.stage import stage
from taizhang.reports.weekly import Weekly, week_of, weeks_of


@dataclass(frozen=True)
class Page:
    """A generated file: its path under the docs root and its content."""

    uri: str
    content: str | bytes
    # Placeholder → its bulk list as HTML, to be put into the finished page (bulk.fill).
    fills: Fills = field(default_factory=dict, compare=False)


@dataclass
class Options:
    """What the site needs beyond the ledger: where records live on the git host, the profile."""

    repo_url: str | None = None
    edit_uri: str | None = None
    public: bool = False
    directory_urls: bool = True  # MkDocs' use_directory_urls: bulk lists link to final addresses
    downloads: bool = True  # False: the exports are made elsewhere (downloads.Worker)
    # Record path (records/...) → date of its last commit, from git history; pages show it.
    updated: dict[str, date] = field(default_factory=dict)
    commit: str | None = None  # the commit the records were read from, named in the JSON export


LIST_PAGES = ("index.md", "problems/index.md", "tasks/index.md", "owners/index.md", "departments/index.md",
              "progress/index.md", "weekly/index.md", "changes/index.md", "reports/index.md", "assessment/index.md",
              "due/index.md")
STAGE_DOCX = "reports/taizhang-stage.docx"  # the rectification report as of the build day, /reports/ links it
# Every download a build offers, once: (uri, offered by the public profile). The public profile offers the JSON only.
DOWNLOADS: tuple[tuple[str, bool], ...] = (
    ("downloads/taizhang.json", True), ("downloads/taizhang.csv", False), ("downloads/taizhang.xlsx", False),
    (STAGE_DOCX, False),
)

# Material's templates as the site uses them (main.html: the phone header's short title); the builder puts this first.
OVERRIDES = str(Path(__file__).parent / "overrides")


def short_title(ledger: Any) -> str:
    """The header's title on a phone, where the full title is cut mid-word: 镇党委整改台账."""
    return labels.OFFICE_WORDS["short_title"].format(unit=ledger.unit)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("taizhang.site", "templates"),
        # Compiling the templates took 0.2 s of every build; the cache checks each template's source.
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # output is Markdown; record text goes through the `t` filter
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(t=text.inline, url=text.url, title=text.title, body=text.body, percent=percent, cn=text.chinese_number, week=text.week)
    env.globals.update(R=labels.REPORT_WORDS)
    env.globals.update(L=labels.LABELS, STATUS=labels.STATUS_LABELS, MARK=labels.MARK_LABELS,
                       RESULT=labels.RECHECK_RESULTS, LONG_TERM=labels.LONG_TERM, H=labels.HISTORY_WORDS, W=labels.WEEKLY_WORDS,
                       O=labels.OFFICE_WORDS)
    env.globals.update(badge=rows.badge, marks=rows.marks, due=rows.due)
    env.globals.update(status_chart=charts.status_chart, completion_chart=charts.completion_chart, urgent=urgent)
    return env


class Renderer:
    """Renders each page type from the aggregate; every page gets the same helpers."""

    def __init__(self, agg: Aggregate, options: Options) -> None:
        self.agg = agg
        self.options = options
        self.rows = rows.Rows(agg, options.public, options.directory_urls)
        self.here: str | None = None  # the address of the page whose bulk lists are being filled
        self.story: Callable[[], Story] = lambda: Story(None, agg)  # the history's story, once it is read

    def render(self, template: str, uri: str, **context: Any) -> Page:
        bulk = Bulk(partial(self.html, uri))
        page = environment().get_template(template).render(
            agg=self.agg, ledger=self.agg.ledger, as_of=self.agg.as_of, options=self.options,
            link=lambda target: relative(uri, target), person_name=self.person,
            # For raw HTML, which MkDocs does not rewrite: the final address of file `target` from this page.
            url_of=lambda target: href(address(uri, self.options.directory_urls), address(target, self.options.directory_urls)), department_name=self.department,
            bulk=bulk, **context,
        )
        return Page(uri, page, bulk.fills)

    def html(self, uri: str, macro: str, **args: Any) -> str:
        """Macro `macro` of bulk.html.j2 as it appears on page `uri`, its links made from there."""
        self.here = here = address(uri, self.options.directory_urls)
        try:
            found = str(getattr(self.bulk, macro)(**args))
            if here:  # links to this very page stay on it (./#P01-M1); the others climb to the root and down
                for end in ('"', "#"):
                    found = found.replace(f'"{ROOT}{here}{end}', f'"{href(here, here)}{end}')
            return found.replace(ROOT, up(uri, self.options.directory_urls))
        finally:
            self.here = None

    @cached_property
    def bulk(self) -> Any:
        """bulk.html.j2, made once: its links come from `href`, which knows the page being filled."""
        return environment().get_template("bulk.html.j2").make_module(vars=dict(
            agg=self.agg, options=self.options, href=self.href, html=self.rows, story=lambda: self.story(),
        ))

    def href(self, target: str) -> str:
        """A link to file `target` from the page being filled."""
        return href(self.here or "", address(target, self.options.directory_urls))

    def person(self, id: str) -> str:
        """A person's name, linked to their page (ids only where a name is unknown)."""
        found = self.agg.people.get(id)
        return text.inline(found.name if found else id)

    def department(self, id: str) -> str:
        found = self.agg.departments.get(id)
        return text.inline(found.name if found else id)


def urgent(rows: Iterable[Row]) -> list[Row]:
    """The overdue, then the due-soon measures among `rows`, each once, earliest deadline first."""
    found = {r.measure.id: r for r in rows if r.overdue or r.due_soon}
    return sorted(found.values(), key=lambda r: (not r.overdue, r.measure.due, r.measure.id))


def relative(here: str, target: str) -> str:
    """A Markdown link from page `here` to file `target` (both relative to the docs root).

    Called for every link on every page, so it climbs to the root instead of calling relpath.
    """
    return "../" * here.count("/") + target


def pages(agg: Aggregate, options: Options, history: History | None = None) -> list[Page]:
    """Every generated page of a valid ledger; without `history` the history sections say there is none."""
    # Hundreds of thousands of rows, entries and strings without cycles: the collector would rescan them.
    with collector_paused():
        return [make() for _, make in plan(agg, options, history)]


Plan = list[tuple[str, Callable[[], Page]]]


def plan(agg: Aggregate, options: Options, history: History | Pending | None = None) -> Plan:
    """Every generated page's path, in the order a build reads them, each with what renders it.

    Paths are known before any page is rendered, so that a builder can list the files first and
    have each page rendered when it reads it (pipeline.py). A `Pending` history is read to the
    end only when a page needs what it says: the pages that tell it come last, and on the others
    it is put in with the bulk lists (a problem's timeline, since when a measure has its status).
    """
    pending = history if isinstance(history, Pending) else Pending.of(history or History())
    pending = pending.until(agg.as_of)  # commits after the as-of date are on no page
    r = Renderer(agg, options)
    story = cache(lambda: Story(pending.result(), agg, options.repo_url, options.public))
    git_weeks = weeks_of(pending.commits, week_of(agg.as_of)) if pending.available else []

    @cache
    def weekly() -> Weekly:
        """git's weeks where it has commits up to the as-of date; else the records' own dates (reports.dated)."""
        if git_weeks or not pending.available:
            return dated.weekly(pending.result(), agg, options.public)
        return dated.weekly(History(available=True), agg, options.public)  # every commit after the as-of date: no wait for git

    r.story = story
    areas = problems_by_area(agg)

    def problem_page(area: Any, problem: Problem, previous: Problem | None, next: Problem | None) -> Page:
        return r.render("problem.md.j2", f"problems/{problem.id}.md", problem=problem,
                        rows=[agg.row_by_id[m.id] for m in problem.measures],
                        status=agg.problem_status(problem), area=area,
                        previous=previous, next=next, edit_url=edit_url(problem, options))

    def progress() -> Page:
        w = weekly()
        return r.render("progress.md.j2", "progress/index.md", burnup=charts.burnup_chart(w.points()) if w.available else "")

    def owners() -> Page:
        leaders, owners, departments = roles(agg, agg.as_leader), roles(agg, agg.as_owner), agg.by_department()
        # What each list's rows add up to: a measure shared by two holders counts under each.
        sums = dict(leader=sum(g.tally.measures for _, g in leaders), owner=sum(g.tally.measures for _, g in owners),
                    department=sum(g.tally.measures for g in departments))
        return r.render("owners.md.j2", "owners/index.md", leaders=leaders, owners=owners, sums=sums)

    # The exports first: a builder reads them as it lists its files, before any page.
    found: Plan = [(page.uri, partial(ready, page)) for page in downloads(agg, options.public, options.commit)] if options.downloads else []
    found += [
        ("index.md", partial(r.render, "home.md.j2", "index.md")),
        ("problems/index.md", partial(r.render, "problems.md.j2", "problems/index.md", groups=areas)),
        ("tasks/index.md", lambda: r.render("tasks.md.j2", "tasks/index.md", filters=filters(agg, options.public))),
        ("owners/index.md", owners),
    ]
    for area, items in areas:
        for i, problem in enumerate(items):
            neighbours = (items[i - 1] if i else None, items[i + 1] if i + 1 < len(items) else None)
            found.append((f"problems/{problem.id}.md", partial(problem_page, area, problem, *neighbours)))
    for person in agg.ledger.people:
        found.append((f"owners/{person.id}.md", partial(person_page, r, person)))
    found.append(("departments/index.md", lambda: r.render(
        "departments.md.j2", "departments/index.md", groups=agg.by_department(),
        shared=sum(g.tally.measures for g in agg.by_department()))))
    for department in agg.ledger.departments:
        found.append((f"departments/{department.id}.md", partial(department_page, r, department)))
    # What the history tells, last: by the time a build reads these, it has been read.
    found.append(("progress/index.md", progress))
    found += history_pages(r, story)
    found += weekly_pages(r, weekly, git_weeks or dated.weeks(agg))
    found += report_pages(r)
    return found


def report_pages(r: Renderer) -> Plan:
    """/reports/ (the rectification report as of the build day, and its Word file), /assessment/, /due/."""
    agg, public = r.agg, r.options.public

    def page(uri: str, title: str, intro: str, doc: Any, downloads: list[tuple[str, str]]) -> Page:
        return r.render("document.md.j2", uri, doc=doc, web=True, page_title=title, intro=intro, downloads=downloads)

    days = agg.ledger.due_soon_days
    return [
        ("reports/index.md", lambda: page("reports/index.md", labels.REPORT_WORDS["page_reports"],
                                          labels.REPORT_WORDS["reports_intro"], stage(agg, public),
                                          [] if public else [(labels.REPORT_WORDS["download_stage"], STAGE_DOCX)])),
        ("assessment/index.md", lambda: page("assessment/index.md", labels.REPORT_WORDS["page_assessment"],
                                             labels.REPORT_WORDS["assessment_intro"], Assessment(agg, public=public).document(), [])),
        ("due/index.md", lambda: page("due/index.md", labels.REPORT_WORDS["page_due"],
                                      labels.REPORT_WORDS["due_intro"].format(days=days),
                                      Supervision(agg, days, public).document(), [])),
    ]


def ready(page: Page) -> Page:
    """What renders a page made already (a plan's entry for it)."""
    return page


def person_page(r: Renderer, person: Any) -> Page:
    agg = r.agg
    return r.render("person.md.j2", f"owners/{person.id}.md", person=person, as_leader=agg.as_leader(person),
                    as_owner=agg.as_owner(person), as_approver=agg.as_approver(person))


def department_page(r: Renderer, department: Any) -> Page:
    return r.render("department.md.j2", f"departments/{department.id}.md", department=department,
                    group=r.agg.department_group(department))


def history_pages(r: Renderer, story: Callable[[], Story]) -> Plan:
    """The pages that tell the ledger's story from git."""
    def changes() -> Page:
        s = story()
        return r.render("changes.md.j2", "changes/index.md", story=s, weeks=s.weeks() if s.available else [])
    return [("changes/index.md", changes)]


def weekly_pages(r: Renderer, weekly: Callable[[], Weekly], weeks: list[str]) -> Plan:
    """/weekly/ and one page per week with commits (`weeks`, newest first); without history /weekly/ says so."""

    def index() -> Page:
        w = weekly()
        reports = [w.report(week) for week in w.weeks] if w.available else []
        return r.render("weekly_index.md.j2", "weekly/index.md", weekly=w, reports=reports,
                        chart=charts.burnup_chart(w.points()) if reports else "")

    def week_page(i: int) -> Page:
        w, uri = weekly(), f"weekly/{weeks[i]}.md"
        if not w.available or weeks[i] not in w.weeks:  # git failed after listing its commits: the page says so
            return r.render("weekly_index.md.j2", uri, weekly=w, reports=[], chart="")
        report = w.report(weeks[i])
        older = weeks[i + 1] if i + 1 < len(weeks) else None
        newer = weeks[i - 1] if i else None
        return r.render("weekly.md.j2", uri, report=report, web=True, older=older, newer=newer,
                        # The table under the chart lists the last weeks only: the chart draws the same weeks.
                        chart=charts.burnup_chart(report.points[-len(report.burnup()):]))

    return [("weekly/index.md", index), *((f"weekly/{week}.md", partial(week_page, i)) for i, week in enumerate(weeks))]


def filters(agg: Aggregate, public: bool) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """/tasks/' filters: (key, label, [(value, label), ...]); the rows carry the same keys (rows._keys)."""
    words = labels.OFFICE_WORDS
    statuses = [(s, labels.STATUS_LABELS[s]) for s in labels.STATUSES] + [("completed", labels.LABELS["completed"])]
    areas = [(a.id, f"{text.chinese_number(i)}、{a.name}") for i, a in enumerate(agg.ledger.areas, 1)]
    departments = [(g.key, g.name) for g in agg.by_department() if g.rows]
    found = [("status", words["filter_status"], statuses), ("area", words["filter_area"], areas),
             ("department", words["filter_department"], departments)]
    if not public:  # the public profile names no one
        found.append(("leader", words["filter_leader"], [(p.id, p.name) for p, _ in roles(agg, agg.as_leader)]))
    windows = [(w, words[f"window_{w}"]) for w in ("overdue", "due_soon", "month")]
    return found + [("window", words["filter_window"], windows)]


def roles(agg: Aggregate, role: Any) -> list[tuple[Any, Any]]:
    """People who hold a role, with their measures in it."""
    found = [(person, role(person)) for person in agg.ledger.people]
    return [(person, group) for person, group in found if group.rows]


def problems_by_area(agg: Aggregate) -> list[tuple[Any, list[Problem]]]:
    return [(area, agg.problems_in(area)) for area in agg.ledger.areas]


def edit_url(problem: Problem, options: Options) -> str | None:
    """The record's file on the git host, when the site knows where the repository is.

    edit_uri is absolute, or relative to repo_url (as MkDocs reads it); it points at docs/
    (e.g. .../edit/main/docs/), and records/ sits beside docs/.
    """
    if options.public or not options.edit_uri or not (options.repo_url or "://" in options.edit_uri):
        return None  # the public reader cannot edit, and the git host is internal
    base = urljoin((options.repo_url or "").rstrip("/") + "/", options.edit_uri).rstrip("/")
    # Quoted: a file name may hold a quote or a space, and Material prints edit_url raw into an href.
    return f"{base.removesuffix('/docs')}/{quote(problem.path)}"


def download_uris(public: bool) -> list[str]:
    return [uri for uri, shown in DOWNLOADS if shown or not public]


def downloads(agg: Aggregate, public: bool = False, commit: str | None = None) -> list[Page]:
    """The exports and the stage report's Word file; the public profile offers the JSON only, with its omissions (docs/guide/format.md, 公开版)."""
    # openpyxl and python-docx take a tenth of a second each to import; most builds have these made elsewhere
    from taizhang.office import excel, word

    make: dict[str, Callable[[], str | bytes]] = {
        "downloads/taizhang.json": lambda: export.to_json(agg, public=public, commit=commit),
        "downloads/taizhang.csv": lambda: export.to_csv(agg),
        "downloads/taizhang.xlsx": lambda: excel.to_bytes(agg),
        STAGE_DOCX: lambda: word.document_bytes(stage(agg)),
    }
    return [Page(uri, make[uri]()) for uri in download_uris(public)]


def error_pages(errors: list[Error], options: Options) -> list[Page]:
    """With a broken ledger every list page shows the errors, so `serve` stays useful."""
    template = environment().get_template("errors.md.j2")
    return [Page(uri, template.render(errors=errors, L=labels.LABELS)) for uri in LIST_PAGES]

