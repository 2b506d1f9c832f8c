"""factory_boy factories for the registry and returns."""

import datetime
from decimal import Decimal

import factory

from gongqing.models import User
from gongqing.roles import Role
from schools.models import (
    CollectionRound,
    ReturnClass,
    ReturnRoom,
    School,
    SchoolKind,
    SchoolReturn,
    SchoolYear,
    Township,
    TownshipMembership,
)
from supervision.models import Body, BodyMembership

PASSWORD = "Portal#2024test"


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township
        django_get_or_create = ("name",)

    code = factory.Sequence(lambda n: f"3604821{n:05d}")
    name = factory.Sequence(lambda n: f"测试镇{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.BUREAU_STAFF
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def township(obj, create, extracted, **kwargs):
        if extracted is not None:
            TownshipMembership.objects.update_or_create(user=obj, defaults={"township": extracted})
        obj.save()

    @factory.post_generation
    def body(obj, create, extracted, **kwargs):
        if extracted is not None:
            BodyMembership.objects.update_or_create(user=obj, defaults={"body": extracted})


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"部门{n}")
    kind = "department"


class SchoolYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolYear
        django_get_or_create = ("year",)

    year = 2024


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollectionRound

    school_year = factory.SubFactory(SchoolYearFactory)
    kind = "official"
    name = "正式批次"
    as_of = factory.LazyAttribute(lambda o: datetime.date(o.school_year.year, 9, 1))
    due_date = factory.LazyAttribute(lambda o: datetime.date(o.school_year.year, 10, 15))


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    code = factory.Sequence(lambda n: f"21369{n:05d}")
    name = factory.Sequence(lambda n: f"测试小学{n}")
    township = factory.SubFactory(TownshipFactory)
    kind = SchoolKind.PRIMARY
    location = "rural"
    ownership = "public"


def primary_figures(students=400, classes=10, teachers=24, **overrides) -> dict:
    """A plausible complete primary return; override what a test is about."""
    figures = {
        "primary_students": students,
        "primary_classes": classes,
        "primary_teachers": teachers,
        "primary_teachers_above_required": teachers - 2,
        "primary_teachers_backbone": 5,
        "primary_teachers_pe_arts": 4,
        "primary_teachers_certified": teachers,
        "teaching_area_m2": Decimal("2600"),
        "sports_area_m2": Decimal("3500"),
        "equipment_value_yuan": Decimal("900000"),
        "multimedia_rooms": 11,
        "public_funds_yuan": Decimal("300000"),
        "training_funds_yuan": Decimal("20000"),
        "land_area_m2": Decimal("12000"),
        "classrooms": classes,
        "classrooms_connected": classes,
    }
    figures.update(overrides)
    return figures


def class_rows(section: str, students: int, classes: int, first_grade: int = 1):
    """Split `students` over `classes` classes of consecutive grades, as validation expects."""
    from schools.validation import ClassRow

    base, extra = divmod(students, classes)
    grades = 6 if section == "primary" else 3
    rows = []
    for i in range(classes):
        grade = first_grade + (i % grades)
        rows.append(ClassRow(section, grade, f"{grade}年级{i // grades + 1}班", base + (1 if i < extra else 0)))
    return rows


def make_return(*, school, round, status="draft", figures=None, with_rows=True, **kwargs) -> SchoolReturn:
    """A return saved directly (bypassing services) for test set-up."""
    figures = figures if figures is not None else primary_figures()
    ret = SchoolReturn.objects.create(school=school, round=round, status=status, **figures, **kwargs)
    if with_rows:
        for section in ("primary", "junior"):
            students, classes = figures.get(f"{section}_students"), figures.get(f"{section}_classes")
            if students and classes:
                first = 1 if section == "primary" else 7
                for row in class_rows(section, students, classes, first):
                    ReturnClass.objects.create(
                        school_return=ret, section=row.section, grade=row.grade, name=row.name, students=row.students
                    )
        ReturnRoom.objects.create(school_return=ret, room="music", area_m2=Decimal("100"))
        ReturnRoom.objects.create(school_return=ret, room="art", area_m2=Decimal("95"))
    return ret
