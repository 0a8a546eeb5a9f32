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
    "unit_sentence": "反馈问题{problems}个、问题表现{manifestations}条，制定整改措施{measures}条，已完成{completed}条（其中已销号{closed}条），正在推进{open}条，措施完成率{rate}。",
})
