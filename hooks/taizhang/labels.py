"""The one table of words a user reads: statuses, their labels and colours, page labels."""

from __future__ import annotations

LONG_TERM = "long_term"

# Stored measure statuses, in the order they are worked.
STATUSES: tuple[str, ...] = ("not_started", "in_progress", "done", "closed")

STATUS_LABELS: dict[str, str] = {
    "not_started": "未启动",
    "in_progress": "推进中",
    "done": "已完成",
    "closed": "已销号",
}

# Derived marks, never stored.
MARK_LABELS: dict[str, str] = {
    "overdue": "逾期",
    "due_soon": "临期",
    "late": "超期完成",
    "long_term": "长期坚持",
    "extended": "已延期",
    "relapsed": "反弹",
    "uncommitted": "未提交",
}

RECHECK_RESULTS: dict[str, str] = {"passed": "通过", "relapsed": "反弹"}

LABELS: dict[str, str] = {
    "area": "方面",
    "problem": "问题",
    "problems": "问题",
    "manifestation": "问题表现",
    "manifestations": "问题表现",
    "measure": "整改措施",
    "measures": "整改措施",
    "leader": "责任领导",
    "department": "责任科室",
    "owner": "责任人",
    "due": "整改时限",
    "status": "整改状态",
    "progress": "整改进展",
    "outcome": "整改成效",
    "done_on": "完成时间",
    "closed_on": "销号时间",
    "closed_by": "销号审核人",
    "evidence": "佐证材料",
    "extensions": "延期记录",
    "rechecks": "回头看",
    "completion_rate": "完成率",
    "declared": "反馈数",
    "counted": "台账数",
    "note": "备注",
    "id": "编号",
    "total": "合计",
    "open": "未完成",
    "completed": "已完成",
    "as_of": "统计日期",
    "home": "首页",
    "problem_list": "问题清单",
    "task_list": "任务清单",
    "owner_list": "责任清单",
    "progress_page": "进度总览",
    "weekly": "每周报告",
    "changes": "变更记录",
    "people": "人员",
    "departments": "科室",
    "as_leader": "作为责任领导",
    "as_owner": "作为责任人",
    "as_approver": "销号审核与回头看",
    "approved_by": "审批人",
    "approved_on": "审批日期",
    "reason": "原因",
    "from": "原时限",
    "to": "延至",
    "date": "日期",
    "by": "检查人",
    "result": "结果",
    "downloads": "下载",
    "errors": "台账校验错误",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)

# Words of the generated pages.
LABELS.update({
    "unit": "被巡察单位",
    "inspection_by": "巡察组",
    "inspection_period": "巡察时间",
    "feedback_on": "反馈时间",
    "figures": "主要数据",
    "by_status": "按整改状态",
    "by_area": "按方面",
    "by_department": "按责任科室",
    "overdue_list": "逾期清单",
    "due_soon_list": "临期清单（{days} 天内到期）",
    "reconciliation": "对账：反馈数与台账数",
    "match": "一致",
    "mismatch": "不一致",
    "no_items": "无",
    "measure_count": "措施数",
    "problem_count": "问题数",
    "manifestation_count": "表现数",
    "body": "整改情况说明",
    "history": "整改历程",
    "no_history": "暂无 git 历史记录。",
    "edit_record": "编辑此记录",
    "previous": "上一个问题",
    "next": "下一个问题",
    "back_to_area": "返回",
    "owner_page": "个人台账",
    "department_page": "科室台账",
    "signed_off": "销号",
    "approved_extension": "批准延期",
    "rechecked": "回头看",
    "role": "角色",
    "errors_intro": "台账记录中有以下错误，修正后页面会自动恢复：",
    "download_json": "JSON 数据",
    "download_csv": "CSV 表格",
    "download_xlsx": "Excel 台账",
    "days_left": "剩余天数",
    "days_over": "逾期天数",
    "lead": "当前状态",
    "deadlines": "整改时限",
    "filter": "筛选",
    "person": "人员",
    "title": "职务",
    "view": "查看",
    "marks": "提示",
    "breadcrumbs": "当前位置",
    "urgent": "逾期与临期措施",
    "nothing_urgent": "没有逾期或临期的措施",
    "public_named": "公开版原样公开这段文字，其中不应有人员姓名，实际有“{name}”",
    "unit_sentence": "反馈问题{problems}个、问题表现{manifestations}条，制定整改措施{measures}条，已完成{completed}条（其中已销号{closed}条），正在推进{open}条，措施完成率{rate}。",
})

# The Excel ledger (整改台账) as units lay it out: sheets, columns, and the words in its cells.
XLSX: dict[str, str] = {
    "sheet_ledger": "整改台账",
    "sheet_summary": "统计汇总",
    "sheet_overdue": "逾期清单",
    "sheet_ids": "编号对照",
    "subtitle": "单位：{unit}　　统计日期：{as_of}",
    "summary_title": "{title}统计汇总",
    "overdue_title": "{title}逾期清单",
    "overall": "总体情况",
    "item": "项目",
    "name": "名称",
    "kind": "类别",
    "kind_area": "方面",
    "kind_department": "科室",
    "kind_person": "人员",
    "kind_ledger": "台账",
    "person_department": "所属科室",
    "mark_overdue": "逾期{days}天",
    "mark_due_soon": "临期（{days}天后到期）",
    "mark_due_today": "临期（今天到期）",
    "mark_extended": "已延期（原时限{date}）",
    "date": "{year}年{month}月{day}日",
    "page_footer": "第 &P 页，共 &N 页",
    "default_area": "巡察反馈问题",
    "evidence_file": "佐证材料（导入自 {source}）：\n{text}\n",
}

# Visible columns of sheet 整改台账, in order, then the hidden ones that carry ids and
# what no column shows, so that an exported workbook imports back to the same ledger.
XLSX_COLUMNS: dict[str, str] = {
    "seq": "序号", "area": "方面", "problem": "问题", "manifestations": "问题表现", "measure": "整改措施",
    "leader": "责任领导", "department": "责任科室", "owner": "责任人", "due": "整改时限", "progress": "整改进展",
    "done_on": "完成时间", "status": "整改状态", "closed_on": "销号时间", "evidence": "佐证材料", "note": "备注",
}
XLSX_HIDDEN: dict[str, str] = {
    "area_id": "方面编号", "problem_id": "问题编号", "manifestation_ids": "表现编号", "measure_id": "措施编号",
    "leader_ids": "责任领导编号", "department_ids": "责任科室编号", "owner_ids": "责任人编号",
    "problem_data": "问题数据", "measure_data": "措施数据",
}

# Other names units give the same columns, read by `taizhang import` (compared without spaces
# or bracketed notes, so 整改时限（年月日） is 整改时限).
XLSX_ALIASES: dict[str, tuple[str, ...]] = {
    "area": ("问题类别", "问题类型", "类别", "问题方面", "反馈问题类别", "领域"),
    "problem": ("反馈问题", "存在问题", "巡察反馈问题", "主要问题", "问题内容", "问题清单", "反馈意见"),
    "manifestations": ("具体表现", "具体问题", "问题具体表现", "表现形式"),
    "measure": ("措施", "整改举措", "整改任务", "具体措施", "整改措施及目标"),
    "leader": ("分管领导", "牵头领导", "包保领导", "责任领导（分管领导）"),
    "department": ("牵头部门", "责任单位", "责任部门", "牵头单位", "牵头科室", "责任股室", "责任处室"),
    "co_department": ("配合部门", "配合单位", "配合科室", "协办部门"),
    "owner": ("具体责任人", "经办人", "具体经办人", "承办人", "联系人"),
    "due": ("完成时限", "整改期限", "时限", "整改时间"),
    "progress": ("完成情况", "整改情况", "整改进展情况", "进展情况", "本期进展", "整改落实情况", "落实情况"),
    "status": ("状态", "完成状态", "整改完成状态"),
    "done_on": ("完成日期", "实际完成时间", "整改完成时间"),
    "closed_on": ("销号日期",),
    "evidence": ("佐证资料", "支撑材料", "印证材料", "佐证材料清单"),
    "outcome": ("整改成效", "成效", "整改效果"),
}

# Status words seen in units' ledgers (compared without spaces or bracketed notes).
STATUS_WORDS: dict[str, str] = {
    **{label: status for status, label in STATUS_LABELS.items()},
    "销号": "closed", "已完成销号": "closed", "完成销号": "closed",
    "完成": "done", "已整改": "done", "已完成整改": "done", "整改完成": "done", "已办结": "done",
    "办结": "done", "待销号": "done",
    "正在推进": "in_progress", "正在整改": "in_progress", "整改中": "in_progress", "进行中": "in_progress",
    "持续推进": "in_progress", "持续整改": "in_progress", "长期坚持": "in_progress", "未完成": "in_progress",
    "部分完成": "in_progress", "基本完成": "in_progress",
    "未开始": "not_started", "尚未启动": "not_started", "待启动": "not_started",
}

# Deadline words meaning 长期坚持 (due: long_term).
LONG_TERM_WORDS: tuple[str, ...] = ("长期坚持", "长期", "持续整改", "持续推进", "常态化", "长期推进", "长期坚持，持续推进")

# Messages of the authoring commands (new, update, install-hook) and of the record editor.
EDIT_MESSAGES: dict[str, str] = {
    "encoding": "记录文件应为 UTF-8 编码",
    "front_matter": "记录文件应以 --- 开头的 YAML 头部开始，并以 --- 行结束",
    "yaml": "记录的 YAML 头部无法解析",
    "not_mapping": "应为键值映射",
    "flow_mapping": "该项以行内格式 {…} 书写，命令无法只改动相关的行，请改为逐行书写或手工修改",
    "layout": "该记录的写法特殊，命令无法只改动相关的行，请手工修改",
    "exists": "文件已存在",
    "no_measure": "找不到整改措施 {id}",
    "no_problem": "找不到问题 {id}",
    "maybe_broken": "（台账有以下错误，可能因此读不到它）",
    "no_area": "找不到方面 {area}（ledger.yml 中的方面编号：{known}）",
    "id_taken": "编号 {id} 已被使用",
    "nothing": "没有要修改的内容：请至少给出一个选项，例如 --progress",
    "needs": "{option} 需要同时给出 {other}",
    "only_with": "{option} 只能与 {other} 一起使用",
    "conflict": "{option} 与 {other} 不能同时使用",
    "evidence": "佐证材料应写成 \"title=标题,path=路径\" 或 \"title=标题,url=网址\"，实际为 “{value}”",
    "long_term": "措施 {id} 为长期坚持，没有整改时限，不能延期",
    "reopen": "措施 {id} 已销号：改为其他状态时必须同时登记反弹的回头看（--recheck relapsed --by 检查人）",
    "recheck_open": "措施 {id} 状态为 {status}，只有已完成或已销号的措施才能回头看",
    "bad_text": "参数不是有效的 UTF-8 文字：{value}",
    "bad_date": "日期应为 YYYY-MM-DD，实际为 “{value}”",
    "bad_due": "整改时限应为 YYYY-MM-DD 或 long_term，实际为 “{value}”",
    "new_problem_needs": "新问题至少需要一条问题表现（--manifestation）和一条整改措施（--measure、--leader、--department、--owner、--due）",
    "updated": "已更新 {id}：{path}",
    "removed": "状态改为 {status}，已移除 {keys}",
    "created_problem": "已新增问题 {id}：{path}",
    "created_measure": "已新增整改措施 {id}：{path}",
    "refused": "未写入任何内容：修改后的台账有以下错误",
    "not_repo": "{root} 不是 git 仓库",
    "foreign_hook": "{path} 已有其他提交前钩子；确认要替换时加 --force",
    "hook_installed": "已安装提交前检查：{path}",
    "hook_missing": "找不到 taizhang 命令：请先按 README 安装（make install）",
}

# History from git: what a change did, in words ({…} are filled in by events.py), and the
# warnings of reading it.
EVENT_WORDS: dict[str, str] = {
    "problem_added": "新增问题：{text}",
    "problem_removed": "删除问题：{text}",
    "problem_moved": "记录文件移动：{before} → {after}",
    "text_title": "问题名称改为：{text}",
    "text_body": "修改整改情况说明",
    "text_manifestation": "问题表现内容改为：{text}",
    "text_measure": "整改措施内容改为：{text}",
    "manifestation_added": "新增问题表现：{text}",
    "manifestation_removed": "删除问题表现：{text}",
    "measure_added": "新增整改措施（{status}）：{text}",
    "measure_removed": "删除整改措施：{text}",
    "status": "状态：{before} → {after}",
    "due": "整改时限：{before} → {after}",
    "due_extended": "（已登记延期，{approved_on} 批准）",
    "due_silent": "（未登记延期）",
    "responsible": "{role}：{before} → {after}",
    "evidence_added": "新增佐证材料：{text}",
    "evidence_removed": "删除佐证材料：{text}",
    "progress": "整改进展：{text}",
    "outcome": "整改成效：{text}",
    "date_set": "{field}：{after}",
    "date_changed": "{field}：{before} → {after}",
    "recheck": "回头看（{date}）：{result}",
    "file_added": "新增文件",
    "file_modified": "修改文件",
    "file_deleted": "删除文件",
    "nothing": "无",
}

HISTORY_WORDS: dict[str, str] = {
    "no_git": "找不到 git 命令，无法读取修改历史",
    "git_failed": "git 运行失败",
    "bad_revision": "版本名不能以 - 开头",
    "shallow": "当前仓库是浅克隆（shallow clone），修改历史不完整，不予显示；请运行 git fetch --unshallow 取得完整历史",
    "no_commits": "records/ 尚无提交记录",
    "uncommitted": "有 {count} 个记录文件的修改尚未提交，在修改历史中显示为“未提交”",
    "skipped": "{path}（{commit}）无法解析，已跳过该版本：{error}",
    "warning": "警告：{text}",
    "timeline": "{id} 的修改历程",
    "status_since": "当前状态：{status}，自 {date}（{commit}）起",
    "no_events": "找不到 {id} 的修改记录",
    "working_tree": "工作区",
    "author": "提交人",
    "commit": "提交",
    "date": "日期",
    "changes": "变更",
    "week": "{week} 周",
    "status_since_label": "当前状态始于",
    "last_updated": "最近修改",
    "no_entries": "暂无修改记录。",
}

# `taizhang diff`: the pull-request summary and the rules of --check (SPEC section 5).
REVIEW_WORDS: dict[str, str] = {
    "title": "台账变更：{base} → {head}",
    "figure": "指标",
    "before": "变更前",
    "after": "变更后",
    "as_of": "统计日期 {as_of}",
    "no_changes": "台账记录没有变化。",
    "section_status": "状态变化",
    "section_due": "整改时限调整",
    "section_added": "新增与删除",
    "section_evidence": "新增佐证材料",
    "section_other": "其他变更",
    "rules": "台账规则检查",
    "rules_passed": "未发现违反台账规则的修改。",
    "rules_failed": "以下修改违反台账规则：",
    "silent_extension": "{id} 整改时限由 {before} 延至 {after}，但未新增 to 为 {after} 的延期记录（extensions），属未经审批的延期",
    "closed_without": "{id} 改为已销号，但缺少{missing}",
    "reopened": "{id} 由已销号改为{status}，但未新增结果为反弹（relapsed）的回头看记录",
    "problem_missing": "问题 {id} 在基准版本中存在，变更后缺失：已发布的编号不得删除或更改",
    "measure_missing": "整改措施 {id}（问题 {problem}）在基准版本中存在，变更后缺失：已发布的编号不得删除或更改",
    "check_passed": "台账规则检查通过：{base} → {head}",
    "more": "……另有 {count} 项未列出",
    "more_violations": "……另有 {count} 处违反规则未列出，运行 taizhang diff --check 查看全部",
}
