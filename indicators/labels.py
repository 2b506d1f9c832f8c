"""Chinese labels for gap resources and units, shared by pages, exports and reports."""

from django.utils.translation import gettext_lazy as _

from schools.models import SECTION_LABELS as SECTION_LABELS  # the one spelling of the sections, for these importers

RESOURCE_LABELS = {
    "teachers_above_required": _("高于规定学历教师"),
    "teachers_backbone": _("县级及以上骨干教师"),
    "teachers_pe_arts": _("体育、艺术专任教师"),
    "teaching_area_m2": _("教学及辅助用房"),
    "sports_area_m2": _("体育运动场馆"),
    "equipment_value_yuan": _("教学仪器设备"),
    "multimedia_rooms": _("网络多媒体教室"),
    "music_rooms": _("音乐专用教室"),
    "art_rooms": _("美术专用教室"),
    "extra_classes": _("需增设班级"),
    "students_over_cap": _("超出规模的学生"),
    "public_funds_yuan": _("公用经费"),
    "training_funds_yuan": _("教师培训经费"),
    "certified_teachers": _("需取得教师资格证的教师"),
}
UNIT_LABELS = {
    "teachers": _("人"),
    "m2": _("平方米"),
    "yuan": _("元"),
    "rooms": _("间"),
    "classes": _("个班"),
    "students": _("人"),
}
