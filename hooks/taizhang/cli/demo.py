"""Generate a synthetic rectification ledger repository with a weekly git history."""

from __future__ import annotations

import calendar
import contextlib
import functools
import json
import os
import pathlib
import random
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import IO, Iterator

import yaml

# The plan is issued on a Friday and every weekly commit lands on a Friday, so each
# commit's events fall on the Monday–Friday of one ISO week (what weekly reports group by).
START = date(2023, 7, 14)
COMMIT_TIME = time(17, 30, tzinfo=timezone(timedelta(hours=8)))
INSPECTION = {"from": date(2023, 4, 20), "to": date(2023, 5, 20), "feedback_on": date(2023, 7, 6)}

Scalar = str | int | bool | date
Record = dict[str, object]

# --- phrase pools --------------------------------------------------------------------

UNITS = ("青山镇党委", "城关镇党委", "柳河镇党委", "石桥镇党委", "东湖镇党委", "白沙镇党委")
TEAMS = ("区委第一巡察组", "区委第二巡察组", "区委第三巡察组", "区委第四巡察组")

AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("思想政治建设", ("理论学习中心组学习", "“第一议题”制度", "意识形态工作责任制", "党员干部理论教育",
                "网络意识形态阵地管理", "宣传思想文化工作")),
    ("干部队伍建设", ("干部选拔任用", "干部日常管理监督", "干部考勤管理", "村干部绩效考核",
                "年轻干部培养", "干部人事档案管理", "编外人员管理")),
    ("乡村财务管理", ("村级财务管理", "“三资”管理", "公务接待管理", "公务用车管理", "财务报销审核",
                "专项资金使用", "固定资产管理", "政府采购")),
    ("党风廉政建设", ("中央八项规定精神落实", "“四风”问题整治", "廉政风险防控", "惠民惠农资金监管",
                "村级小微权力监督", "工程项目监管")),
    ("从严治党主体责任落实", ("主体责任清单管理", "“一岗双责”落实", "民主集中制执行", "“三重一大”决策制度",
                    "党风廉政建设责任制考核", "以案促改工作")),
    ("基层党组织建设", ("“三会一课”制度", "党员发展工作", "党费收缴管理", "组织生活会制度",
                 "村级党组织标准化建设", "流动党员管理")),
)

DEFECTS = ("执行不严格", "落实不到位", "流于形式", "不够规范", "存在薄弱环节", "监督管理不到位",
           "制度执行打折扣", "长效机制不健全")

MANIFESTATIONS = (
    "{year}年{topic}相关台账资料不完整，{n}次活动缺少记录",
    "抽查发现{n}份{topic}相关资料未按要求归档",
    "{topic}存在以会代训、以文件落实文件现象",
    "个别班子成员对{topic}重视不够，{year}年有{n}次未按要求参加",
    "{topic}相关制度未及时修订，与上级最新要求不符",
    "{topic}缺乏跟踪问效，发现的问题整改不彻底",
    "{n}个村（社区）{topic}开展不平衡",
    "{topic}监督检查不经常，{year}年仅开展检查{n}次",
    "{year}年{topic}存在{n}笔不规范事项",
)

MEASURES = (
    "制定{topic}年度工作计划，明确责任分工和时间节点",
    "修订完善{topic}相关制度，规范工作流程",
    "开展{topic}专项检查，对发现的问题建立清单逐项整改",
    "组织相关人员开展{topic}专题培训",
    "建立{topic}定期通报机制，每季度通报一次",
    "对{year}年以来{topic}资料进行全面梳理，补齐缺失材料",
    "将{topic}纳入年度考核，强化结果运用",
    "召开专题会议研究{topic}问题，压实整改责任",
    "对相关责任人进行批评教育，督促立行立改",
)

CAUSES = (
    "思想认识不到位，对{topic}的重要性认识不足",
    "制度执行不严，监督检查流于形式",
    "责任压得不实，压力层层递减",
    "业务能力不足，对政策规定把握不准",
)

PLANNED = ("截至{md}，已制定整改方案，明确责任人和完成时限", "截至{md}，已召开专题会议研究部署整改工作")

PROGRESS = (
    "截至{md}，已召开专题会议研究部署整改工作",
    "截至{md}，已完成自查，发现问题{n}处，已整改{k}处",
    "截至{md}，相关制度已形成初稿，正在征求意见",
    "截至{md}，已组织专题培训{n}场次，参训{k}人次",
    "截至{md}，已梳理问题清单，正在逐项推进",
    "截至{md}，已印发《关于进一步加强{topic}的通知》",
    "截至{md}，已完成{n}个村（社区）的督导检查",
)

LONG_TERM = (
    "截至{md}，持续推进，本阶段开展督导检查{n}次，形成阶段性成果",
    "截至{md}，已纳入常态化管理，每月调度一次，累计整改问题{n}处",
)

FINISHED = "截至{md}，已完成整改，佐证材料已提交，待审核销号"
SIGNED_OFF = "截至{md}，已完成整改并经审核销号"
RELAPSED = "截至{md}，回头看发现问题反弹，已重新制定措施推进整改"

OUTCOMES = (
    "建立{topic}长效机制，相关工作实现制度化、规范化",
    "{topic}台账资料完整规范",
    "整改后未再发现同类问题",
    "修订完善制度{n}项，堵塞管理漏洞",
)

EVIDENCE = (
    "{topic}整改专题会议纪要",
    "《{topic}管理办法（修订）》",
    "整改前后对照材料",
    "专题培训签到表及照片",
    "自查自纠问题清单及整改台账",
    "督导检查情况通报",
)

REASONS = (
    "需待上级文件下发后修订相关制度",
    "涉及资金拨付，需履行审批程序",
    "涉及历史遗留问题，需多部门协调推进",
    "受防汛工作影响，现场整改延后",
    "需经党委会集体研究决定",
)

NOTES = {
    "passed": ("抽查台账资料完整规范", "实地查看整改到位", "走访群众反映良好", "未发现同类问题反弹"),
    "relapsed": ("抽查发现同类问题有所反弹", "个别环节仍存在不规范现象"),
}

# (id, name, title of its head); the first four are always there (sign-off and re-check need them).
DEPARTMENTS = (
    ("dzb", "党政办公室", "党政办主任"), ("djb", "党建工作办公室", "党建办主任"),
    ("jjb", "纪检监察办公室", "纪检监察办主任"), ("czs", "财政所", "财政所所长"),
    ("jfb", "经济发展办公室", "经发办主任"), ("ssb", "社会事务办公室", "社会事务办主任"),
    ("gjb", "规划建设办公室", "规建办主任"), ("nyb", "农业农村办公室", "农业农村办主任"),
    ("zfd", "综合行政执法队", "执法队队长"), ("yjb", "应急管理办公室", "应急办主任"),
)

# The leadership team: index 0 signs off, index 3 (discipline) re-checks.
LEADER_TITLES = ("党委书记", "党委副书记、镇长", "党委副书记", "党委委员、纪委书记",
                 "党委委员、组织委员", "党委委员、宣传委员", "党委委员、副镇长")
STAFF = 13

SURNAMES = (("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
            ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"),
            ("胡", "hu"), ("朱", "zhu"), ("高", "gao"), ("林", "lin"), ("何", "he"), ("郭", "guo"),
            ("马", "ma"), ("罗", "luo"), ("梁", "liang"), ("宋", "song"), ("郑", "zheng"), ("谢", "xie"))
GIVEN = (("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
         ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
         ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"),
         ("英", "ying"), ("华", "hua"), ("平", "ping"), ("刚", "gang"), ("建", "jian"), ("国", "guo"),
         ("文", "wen"), ("辉", "hui"), ("玲", "ling"), ("海", "hai"), ("红", "hong"), ("霞", "xia"),
         ("志", "zhi"), ("春", "chun"), ("晓", "xiao"), ("燕", "yan"), ("鹏", "peng"), ("宇", "yu"))

AUTHORS = (("刘晓燕", "liuxiaoyan@example.com"), ("陈志刚", "chenzhigang@example.com"),
           ("王婷", "wangting@example.com"), ("赵海涛", "zhaohaitao@example.com"),
           ("孙丽华", "sunlihua@example.com"))

# --- the simulated ledger --------------------------------------------------------------


@dataclass
class DemoPerson:
    id: str
    name: str
    title: str
    department: str | None = None


@dataclass
class Cast:
    """Who the ledger names: the unit, its areas, departments and people."""

    unit: str
    team: str
    areas: list[tuple[str, str, tuple[str, ...]]]  # id, name, topics
    departments: list[tuple[str, str]]
    leaders: list[DemoPerson]
    staff: dict[str, list[DemoPerson]]  # by department id

    @property
    def people(self) -> list[DemoPerson]:
        return self.leaders + [p for members in self.staff.values() for p in members]


@dataclass
class DemoMeasure:
    id: str
    text: str
    topic: str
    addresses: list[str]
    leader: str | list[str]
    department: str | list[str]
    owner: str | list[str]
    due: date | str
    status: str
    progress: str | None = None
    outcome: str | None = None
    done_on: date | None = None
    evidence: list[Record] = field(default_factory=list)
    closed_on: date | None = None
    closed_by: str | None = None
    extensions: list[Record] = field(default_factory=list)
    rechecks: list[Record] = field(default_factory=list)
    relapsed: bool = False  # a relapsed measure never finishes again: its recheck would predate done_on
    rendered: str | None = field(default=None, repr=False)  # its YAML lines, until it changes


@dataclass
class DemoProblem:
    id: str
    area: str
    title: str
    public: bool
    manifestations: list[tuple[str, str]]
    measures: list[DemoMeasure]
    body: str
    dirty: bool = True  # changed since it was last committed


@dataclass(frozen=True)
class DemoWeek:
    number: int
    today: date  # the Friday the week's commit is dated

    def day(self, rng: random.Random) -> date:
        """A working day of this week, never after the commit date."""
        return self.today - timedelta(days=rng.randint(0, 4))


def generate(root: pathlib.Path, problems: int, weeks: int = 20, seed: int = 1) -> None:
    """Write a synthetic ledger repository at root with `weeks` weekly git commits.

    The history has weeks + 1 commits: week 0 (the initial ledger, dated START) and one
    commit per week after it, each dated 7 days after the previous one. The same seed
    gives byte-identical files and commit ids, and a shorter history is a prefix of a
    longer one with the same seed. Raises ValueError for bad arguments, OSError or
    subprocess.CalledProcessError when git is missing or fails.
    """
    _check_arguments(root, problems, weeks)
    rng = random.Random(seed)
    cast = _cast(rng, problems)
    ledger = _problems(rng, cast, problems)
    repo = _Repo(root)
    repo.init()
    with repo.history() as history:
        measures = sum(len(p.measures) for p in ledger)
        message = f"第0周：建立整改台账，共{len(ledger)}个问题、{measures}项措施"
        history.commit(START, rng.choice(AUTHORS), message, _initial_files(cast, ledger))
        for number in range(1, weeks + 1):
            week = DemoWeek(number, START + timedelta(weeks=number))
            events = _advance_week(rng, cast, ledger, week)
            history.commit(week.today, rng.choice(AUTHORS), _message(week, events), _changed_problems(ledger))
    repo.checkout()


def _check_arguments(root: pathlib.Path, problems: int, weeks: int) -> None:
    if problems < 1:
        raise ValueError(f"problems must be at least 1, got {problems}")
    if weeks < 0:
        raise ValueError(f"weeks must be 0 or more, got {weeks}")
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ValueError(f"{root} exists and is not an empty directory")


# --- the cast --------------------------------------------------------------------------


def _cast(rng: random.Random, problems: int) -> Cast:
    # A ledger with fewer problems than areas would have empty areas.
    chosen = sorted(rng.sample(range(len(AREAS)), min(rng.randint(4, 6), problems)))
    areas = [(f"A{i + 1}", AREAS[k][0], AREAS[k][1]) for i, k in enumerate(chosen)]
    extra = sorted(rng.sample(range(4, len(DEPARTMENTS)), 4))
    departments = [DEPARTMENTS[k] for k in [0, 1, 2, 3, *extra]]
    names = _names(rng, len(LEADER_TITLES) + STAFF)
    leaders = [DemoPerson(pid, name, title) for (pid, name), title in zip(names, LEADER_TITLES)]
    staff: dict[str, list[DemoPerson]] = {d[0]: [] for d in departments}
    for i, (pid, name) in enumerate(names[len(LEADER_TITLES):]):
        # The first pass gives every department its head; the rest are clerks anywhere.
        dept = departments[i] if i < len(departments) else rng.choice(departments)
        title = dept[2] if i < len(departments) else "科员"
        staff[dept[0]].append(DemoPerson(pid, name, title, dept[0]))
    return Cast(rng.choice(UNITS), rng.choice(TEAMS), areas, [(d[0], d[1]) for d in departments], leaders, staff)


def _names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Distinct Chinese names with ascii ids; the number suffix keeps homophones apart."""
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    while len(found) < count:
        parts = [rng.choice(SURNAMES)] + rng.sample(GIVEN, rng.choice((1, 2, 2)))
        name = "".join(c for c, _ in parts)
        if name not in seen:
            seen.add(name)
            found.append((f"{''.join(p for _, p in parts)}{len(found) + 1:02d}", name))
    return found


# --- the initial ledger ----------------------------------------------------------------


def _problems(rng: random.Random, cast: Cast, count: int) -> list[DemoProblem]:
    width = len(str(count))
    found: list[DemoProblem] = []
    for (area_id, _, topics), size in zip(cast.areas, _split(rng, count, len(cast.areas))):
        for _ in range(size):
            found.append(_problem(rng, cast, f"P{len(found) + 1:0{width}d}", area_id, rng.choice(topics)))
    return found


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """Sizes of `parts` uneven blocks, each at least 1, adding up to `total`."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    sizes = Counter(rng.choices(range(parts), weights, k=total - parts))
    return [1 + sizes[i] for i in range(parts)]


def _problem(rng: random.Random, cast: Cast, pid: str, area: str, topic: str) -> DemoProblem:
    title = topic + rng.choice(DEFECTS)
    texts = rng.sample(MANIFESTATIONS, rng.choice((1, 1, 2, 2, 2, 3)))
    manifestations = [(f"{pid}-{i}", _fill(rng, t, topic)) for i, t in enumerate(texts, 1)]
    templates = rng.sample(MEASURES, rng.choice((1, 2, 2, 3, 3, 4)))
    measures = [_measure(rng, cast, f"{pid}-M{i}", _fill(rng, t, topic), topic, manifestations)
                for i, t in enumerate(templates, 1)]
    body = f"巡察反馈：{title}。\n\n原因分析：{_fill(rng, rng.choice(CAUSES), topic)}。\n"
    return DemoProblem(pid, area, title, rng.random() > 0.03, manifestations, measures, body)


def _measure(rng: random.Random, cast: Cast, mid: str, text: str, topic: str,
             manifestations: list[tuple[str, str]]) -> DemoMeasure:
    addresses = [rng.choice(manifestations)[0]] if len(manifestations) > 1 and rng.random() < 0.7 else []
    depts = rng.sample(cast.departments, 2 if rng.random() < 0.15 else 1)
    owners = [rng.choice(cast.staff[d[0]]).id for d in depts]
    leaders = [p.id for p in rng.sample(cast.leaders[1:], 2 if rng.random() < 0.05 else 1)]
    due = _deadline(rng)
    started = rng.random() < (0.7 if due == "long_term" else 0.5)
    return DemoMeasure(mid, text, topic, addresses, _one_or_list(leaders), _one_or_list([d[0] for d in depts]),
                   _one_or_list(owners), due, "in_progress" if started else "not_started",
                   _fill(rng, rng.choice(PLANNED), topic, START) if started else None)


def _deadline(rng: random.Random) -> date | str:
    roll = rng.random()
    if roll < 0.1:
        return "long_term"
    if roll < 0.25:  # 立行立改: to be fixed at once
        return START + timedelta(days=rng.randint(7, 21))
    due = START + timedelta(days=rng.randint(21, 150))
    return _month_end(due) if rng.random() < 0.5 else due


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _one_or_list(ids: list[str]) -> str | list[str]:
    return ids[0] if len(ids) == 1 else ids


def _fill(rng: random.Random, template: str, topic: str, on: date | None = None) -> str:
    n = rng.randint(2, 12)
    md = f"{on.month}月{on.day}日" if on else ""
    return template.format(topic=topic, year=rng.choice((2021, 2022)), n=n, k=rng.randint(1, n), md=md)


# --- one week of work ------------------------------------------------------------------


def _advance_week(rng: random.Random, cast: Cast, ledger: list[DemoProblem], week: DemoWeek) -> Counter[str]:
    events: Counter[str] = Counter()
    for problem in ledger:
        for measure in problem.measures:
            event = _advance(rng, cast, measure, week)
            if event:
                events[event] += 1
                measure.rendered = None
                problem.dirty = True
    return events


def _advance(rng: random.Random, cast: Cast, m: DemoMeasure, week: DemoWeek) -> str | None:
    """Move one measure at most one step; the name of what happened, or None."""
    if m.status == "closed":
        return _recheck(rng, cast, m, week)
    if m.status == "done":
        return _close(rng, cast, m, week) if rng.random() < 0.4 else None
    # An extension's `from` is the current deadline and must not lie after the commit date.
    if isinstance(m.due, date) and m.due <= week.today and rng.random() < 0.3:
        return _extend(rng, cast, m, week)
    if m.status == "not_started":
        return _report(rng, m, week) if rng.random() < 0.35 else None
    if rng.random() < _finish_chance(m, week.today):
        return _finish(rng, m, week)
    # Not every measure reports every week: fewer changed files keep diffs and history small.
    return _report(rng, m, week) if rng.random() < 0.2 else None


def _finish_chance(m: DemoMeasure, today: date) -> float:
    if not isinstance(m.due, date) or m.relapsed:  # long-term measures never finish
        return 0.0
    return 0.3 if m.due <= today + timedelta(days=14) else 0.08


def _report(rng: random.Random, m: DemoMeasure, week: DemoWeek) -> str:
    m.status = "in_progress"
    pool = LONG_TERM if m.due == "long_term" else (RELAPSED,) if m.relapsed else PROGRESS
    m.progress = _fill(rng, rng.choice(pool), m.topic, week.today)  # dated, so it always changes
    return "progress"


def _finish(rng: random.Random, m: DemoMeasure, week: DemoWeek) -> str:
    m.status = "done"
    m.done_on = week.day(rng)
    m.progress = _fill(rng, FINISHED, m.topic, m.done_on)
    titles = rng.sample(EVIDENCE, rng.choice((1, 1, 2)))
    m.evidence = [{"title": _fill(rng, t, m.topic), "url": f"https://intranet.example/doc/{m.id}-{i}"}
                  for i, t in enumerate(titles, 1)]
    return "done"


def _close(rng: random.Random, cast: Cast, m: DemoMeasure, week: DemoWeek) -> str:
    # done_on lies in an earlier week, so any day of this week keeps closed_on >= done_on.
    m.status = "closed"
    m.closed_on = week.day(rng)
    leader = m.leader if isinstance(m.leader, str) else m.leader[0]
    m.closed_by = rng.choice((cast.leaders[0].id, leader))
    m.progress = _fill(rng, SIGNED_OFF, m.topic, m.closed_on)
    if rng.random() < 0.6:
        m.outcome = _fill(rng, rng.choice(OUTCOMES), m.topic)
    return "closed"


def _extend(rng: random.Random, cast: Cast, m: DemoMeasure, week: DemoWeek) -> str:
    new_due = week.today + timedelta(weeks=rng.randint(2, 8))
    leader = m.leader if isinstance(m.leader, str) else m.leader[0]
    m.extensions.append({"from": m.due, "to": new_due, "approved_by": rng.choice((cast.leaders[0].id, leader)),
                         "approved_on": week.day(rng), "reason": rng.choice(REASONS)})
    m.due = new_due
    return "extended"


def _recheck(rng: random.Random, cast: Cast, m: DemoMeasure, week: DemoWeek) -> str | None:
    last = m.rechecks[-1]["date"] if m.rechecks else m.closed_on
    assert isinstance(last, date)
    if last > week.today - timedelta(weeks=4) or rng.random() > 0.06:
        return None
    result = "relapsed" if rng.random() < 0.1 else "passed"
    checkers = [cast.leaders[3].id] + [p.id for p in cast.staff["jjb"]]
    m.rechecks.append({"date": week.day(rng), "by": rng.choice(checkers), "result": result,
                       "note": rng.choice(NOTES[result])})
    if result == "passed":
        return "rechecked"
    # Back to work: what only done and closed measures may carry goes, the recheck stays.
    m.status, m.relapsed = "in_progress", True
    m.done_on = m.closed_on = m.closed_by = m.outcome = None
    m.evidence = []
    m.progress = _fill(rng, RELAPSED, m.topic, week.today)
    return "relapsed"


def _message(week: DemoWeek, events: Counter[str]) -> str:
    parts = [f"第{week.number}周调度：更新{sum(events.values())}项措施进展"]
    for event, label in (("done", "完成"), ("closed", "销号"), ("extended", "延期"),
                         ("rechecked", "回头看通过"), ("relapsed", "回头看发现反弹")):
        if events[event]:
            parts.append(f"{label}{events[event]}项")
    return "，".join(parts)


# --- YAML text -------------------------------------------------------------------------

_RESOLVER = yaml.resolver.Resolver()
_UNSAFE = frozenset(",[]{}#&*!|>'\"%@`\\\n\r\t")


def _scalar(value: Scalar) -> str:
    """`value` as YAML reads it back: plain where that is unambiguous, else JSON-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value if _is_plain(value) else json.dumps(value, ensure_ascii=False)


@functools.lru_cache(maxsize=65536)
def _is_plain(text: str) -> bool:
    if not text or text != text.strip() or text[0] in "-?:" or ": " in text or text.endswith(":"):
        return False
    if not _UNSAFE.isdisjoint(text):  # stricter than YAML needs, but never wrong
        return False
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"


def _emit(record: Record, indent: int = 0) -> Iterator[str]:
    """Block-style YAML lines of a mapping, keys in insertion order; lists of ids in flow style."""
    pad = " " * indent
    for key, value in record.items():
        if isinstance(value, dict):
            yield f"{pad}{key}:"
            yield from _emit(value, indent + 2)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            yield f"{pad}{key}:"
            yield from _emit_items(value, indent + 2)
        elif isinstance(value, list):
            yield f"{pad}{key}: [{', '.join(_scalar(v) for v in value)}]"
        else:
            yield f"{pad}{key}: {_scalar(value)}"  # type: ignore[arg-type]


def _emit_items(items: list[Record], indent: int) -> Iterator[str]:
    for item in items:
        lines = _emit(item, indent + 2)
        yield f"{' ' * indent}- {next(lines).lstrip()}"
        yield from lines


def _yaml(record: Record) -> str:
    return "".join(line + "\n" for line in _emit(record))


def _measure_record(m: DemoMeasure) -> Record:
    # The record format's order, so that a change only touches its own lines.
    record: Record = {
        "id": m.id, "text": m.text, "addresses": m.addresses, "leader": m.leader,
        "department": m.department, "owner": m.owner, "due": m.due, "status": m.status,
        "progress": m.progress, "outcome": m.outcome, "done_on": m.done_on, "evidence": m.evidence,
        "closed_on": m.closed_on, "closed_by": m.closed_by, "extensions": m.extensions, "rechecks": m.rechecks,
    }
    return {k: v for k, v in record.items() if v is not None and v != []}


def _measure_text(m: DemoMeasure) -> str:
    # Most measures do not change in a given week: rendering only the changed ones keeps
    # a 5000-problem history fast.
    if m.rendered is None:
        m.rendered = "".join(line + "\n" for line in _emit_items([_measure_record(m)], 2))
    return m.rendered


def _problem_text(p: DemoProblem) -> str:
    record: Record = {"id": p.id, "area": p.area, "title": p.title}
    if not p.public:
        record["public"] = False
    record["manifestations"] = [{"id": i, "text": t} for i, t in p.manifestations]
    measures = "".join(_measure_text(m) for m in p.measures)
    return f"---\n{_yaml(record)}measures:\n{measures}---\n{p.body}"


def _ledger_record(cast: Cast, ledger: list[DemoProblem]) -> Record:
    return {
        "title": f"{cast.team}巡察反馈意见整改台账",
        "unit": cast.unit,
        "inspection": {"by": cast.team, **INSPECTION},
        "declared": {"problems": len(ledger),
                     "manifestations": sum(len(p.manifestations) for p in ledger),
                     "measures": sum(len(p.measures) for p in ledger)},
        "areas": [{"id": a, "name": name} for a, name, _ in cast.areas],
        "due_soon_days": 14,
    }


def _owners_record(cast: Cast) -> Record:
    people = [{"id": p.id, "name": p.name, "title": p.title, "department": p.department} for p in cast.people]
    return {"departments": [{"id": d, "name": name} for d, name in cast.departments],
            "people": [{k: v for k, v in p.items() if v is not None} for p in people]}


# --- git --------------------------------------------------------------------------------


def _initial_files(cast: Cast, ledger: list[DemoProblem]) -> dict[str, str]:
    return {"records/ledger.yml": _yaml(_ledger_record(cast, ledger)),
            "records/owners.yml": _yaml(_owners_record(cast)), **_changed_problems(ledger)}


def _changed_problems(ledger: list[DemoProblem]) -> dict[str, str]:
    """The text of every problem file touched since the last call, by path."""
    files = {f"records/{p.area}/{p.id}.md": _problem_text(p) for p in ledger if p.dirty}
    for problem in ledger:
        problem.dirty = False
    return files


class _Repo:
    """The demo repository, driven by a fixed handful of git processes whatever its size."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        # Inherited GIT_DIR & co. (e.g. inside a hook) would point at another repository, and
        # global settings such as commit.gpgsign or core.autocrlf would change the commit ids.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        self.env |= {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

    def run(self, *args: str) -> None:
        subprocess.run(["git", "-C", str(self.root), *args], env=self.env, check=True, capture_output=True)

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.run("init", "--quiet", "-b", "main")
        self.run("config", "user.name", "台账演示")
        self.run("config", "user.email", "demo@example.com")

    @contextlib.contextmanager
    def history(self) -> Iterator[_History]:
        """A fast-import stream: one pack for the whole history, no per-week index or files."""
        with tempfile.TemporaryFile() as errors:
            command = ["git", "-C", str(self.root), "fast-import", "--quiet", "--done"]
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors, env=self.env)
            assert process.stdin is not None
            try:
                yield _History(process.stdin)
                process.stdin.write(b"done\n")
            finally:
                process.stdin.close()
                code = process.wait()
            if code:
                errors.seek(0)
                raise subprocess.CalledProcessError(code, command, stderr=errors.read())

    def checkout(self) -> None:
        """Fill the work tree and the index from the last commit."""
        self.run("-c", "checkout.workers=0", "reset", "--hard", "--quiet")  # 0: one worker per core


class _History:
    """Commits written as a git fast-import stream, all on main."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def commit(self, day: date, author: tuple[str, str], message: str, files: dict[str, str]) -> None:
        when = datetime.combine(day, COMMIT_TIME)
        person = f"{author[0]} <{author[1]}> {int(when.timestamp())} {when:%z}".encode()
        self.stream.write(b"commit refs/heads/main\nauthor %s\ncommitter %s\n" % (person, person))
        self._data(message + "\n")  # git commit ends a message with a newline too
        for path, text in files.items():
            self.stream.write(f"M 100644 inline {path}\n".encode())
            self._data(text)
        self.stream.write(b"\n")

    def _data(self, text: str) -> None:
        data = text.encode("utf-8")
        self.stream.write(b"data %d\n%s\n" % (len(data), data))
