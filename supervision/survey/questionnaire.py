"""The default items of each group's questionnaire (data: the bureau edits them per survey before answers arrive).

Modelled on the items of the national social recognition survey; to confirm against the province's questionnaire.
Groups are those of the standard's survey scoring (`SurveyScoring.groups`); a group missing here gets PUBLIC_ITEMS.
"""

from django.utils.translation import gettext_lazy as _

PUBLIC_ITEMS = (
    _("您对本市政府履行义务教育职责、加大教育投入的情况满意吗？"),
    _("您对本市城乡学校办学条件差距缩小的情况满意吗？"),
    _("您对本市义务教育招生入学（免试、就近）的公平情况满意吗？"),
    _("您对本市中小学教师队伍建设的情况满意吗？"),
    _("您对本市中小学的教育质量满意吗？"),
    _("总体上，您对本市义务教育优质均衡发展工作满意吗？"),
)

DEFAULT_ITEMS = {
    "students": (
        _("你对学校的教室、运动场地和功能室等办学条件满意吗？"),
        _("你对老师的教学和对你的关心爱护满意吗？"),
        _("你对学校开展的体育、艺术和课外活动满意吗？"),
        _("你对学校的作业量和课后服务满意吗？"),
        _("你对学校的校园安全和食堂（宿舍）管理满意吗？"),
        _("总体上，你对自己就读的学校满意吗？"),
    ),
    "parents": (
        _("您对孩子就读学校的办学条件满意吗？"),
        _("您对学校教师的师德师风和教学水平满意吗？"),
        _("您对义务教育招生入学（免试、就近）工作满意吗？"),
        _("您对学校作业管理和课后服务满意吗？"),
        _("您对学校与家庭的沟通和家校合作满意吗？"),
        _("总体上，您对本市义务教育发展状况满意吗？"),
    ),
    "teachers": (
        _("您对学校的教育教学设施设备满意吗？"),
        _("您对教师工资待遇（不低于当地公务员平均水平）的落实情况满意吗？"),
        _("您对教师培训和专业发展的机会满意吗？"),
        _("您对校长教师交流轮岗工作满意吗？"),
        _("您对学校管理和教研氛围满意吗？"),
        _("总体上，您对本市义务教育优质均衡发展工作满意吗？"),
    ),
    "principals": (
        _("您对政府保障学校公用经费的情况满意吗？"),
        _("您对学校校舍、场地和设备的改善情况满意吗？"),
        _("您对学校教师配备的数量和学科结构满意吗？"),
        _("您对学校办学自主权和现代学校制度建设满意吗？"),
        _("您对教育行政部门的指导和服务满意吗？"),
        _("总体上，您对本市义务教育优质均衡发展工作满意吗？"),
    ),
}


def default_items(group: str) -> tuple[str, ...]:
    return tuple(str(text) for text in DEFAULT_ITEMS.get(group, PUBLIC_ITEMS))
