"""Password rules and age (issue 8, SECURITY.md row 6).

The rules, in AUTH_PASSWORD_VALIDATORS: at least 8 characters; three of the four character classes; not similar to
the username (Django's similarity check plus: the username, forwards or backwards, is not half of the password or
more); not a common password (Django's list of 20,000, plus CommonPatternValidator below for the composition-passing
variants an assessor tries first: `P@ssw0rd`, `Admin@123`, `Aa123456`, `Qwer1234`, `Woaini1314`).
A password older than PASSWORD_MAX_AGE_DAYS must be changed (gongqing.middleware.IdentityMiddleware).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

CLASS_RULE = "密码须至少包含大写字母、小写字母、数字、符号中的三类。"


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    """Django's length rule with its own Chinese message: Django 5.2 changed the English text and its zh_Hans
    catalogue still has the old one, so the refusal came out in English."""

    def get_error_message(self):
        return _("密码太短，至少须 %(n)s 个字符。") % {"n": self.min_length}

    def get_help_text(self):
        return _("密码至少须 %(n)s 个字符。") % {"n": self.min_length}


class CharacterClassValidator:
    """At least three of: lower case, upper case, digits, other characters (MLPS assessment practice)."""

    def validate(self, password, user=None):
        classes = sum(
            [
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )
        if classes < 3:
            raise ValidationError(_(CLASS_RULE), code="password_too_simple")

    def get_help_text(self):
        return _(CLASS_RULE)


class UsernameInPasswordValidator:
    """The username (3 characters or more), forwards or backwards, may not make up half of the password or more
    (`ganlu@2024` for ganlu; Django's similarity check alone lets it through at a ratio of 0.67 < 0.7)."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if len(username) < 3:
            return
        lowered = password.lower()
        inside = username in lowered or username[::-1] in lowered
        if inside and len(username) * 2 >= len(password):
            raise ValidationError(_("密码不能以用户名为主要内容。"), code="password_contains_username")

    def get_help_text(self):
        return _("密码不能以用户名为主要内容。")


# Words that make a password guessable whatever digits and symbols surround them: the usual English ones, the usual
# Chinese pinyin ones, and this portal's own names.
_COMMON_WORDS_TEXT = """
    password passwd passw pass admin administrator root super superuser manager system sysadmin default guest user
    test tester welcome letmein changeme iloveyou love hello monkey dragon master sunshine princess football baseball
    qwerty qwert qwer asdf asdfgh asdfghjkl zxcv zxcvbn zxcvbnm qazwsx qaz wsx abc abcd abcde abcdef abcdefg abcdefgh
    woaini aini wanan nihao china beijing shanghai jiangxi jiujiang gongqing gongqingcheng gqc jiaoyu jiaoyuju jyj
    jiaotiju jtj xuexiao school edu education portal huawei baidu qq aa aaa
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())
# Keyboard rows and columns, and the shifted digit row: three or more neighbours on one of these are a walk.
KEYBOARD_LINES = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "!@#$%^&*()")
LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "$": "s", "5": "s", "7": "t"})


def _letters_with_leet(password: str) -> str:
    """Lower-case letters of the password; a digit or symbol between two letters is read as the letter it imitates."""
    lowered = password.lower()
    out = []
    for i, c in enumerate(lowered):
        if c.isalpha():
            out.append(c)
        elif 0 < i < len(lowered) - 1 and lowered[i - 1].isalpha() and lowered[i + 1].isalpha():
            mapped = c.translate(LEET)
            if mapped.isalpha():
                out.append(mapped)
    return "".join(out)


def _neighbours(a: str, b: str) -> bool:
    if a == b or (a.isalnum() and b.isalnum() and abs(ord(a) - ord(b)) == 1):
        return True
    return any(a in line and b in line and abs(line.index(a) - line.index(b)) == 1 for line in KEYBOARD_LINES)


def pattern_share(password: str) -> float:
    """The share of characters that belong to a run of 3+ repeated, sequential or keyboard-adjacent characters."""
    lowered = password.lower()
    if not lowered:
        return 0.0
    covered = 0
    run = 1
    for i in range(1, len(lowered) + 1):
        if i < len(lowered) and _neighbours(lowered[i - 1], lowered[i]):
            run += 1
            continue
        if run >= 3:
            covered += run
        run = 1
    return covered / len(lowered)


class CommonPatternValidator:
    """Refuses passwords made of a common word plus digits and symbols, or mostly of runs like 123456, aaaa, qwer."""

    def __init__(self):
        self._common = CommonPasswordValidator().passwords

    def validate(self, password, user=None):
        letters = _letters_with_leet(password)
        plain = "".join(c for c in password.lower() if c.isalpha())
        if any(word in COMMON_WORDS or (len(word) >= 4 and word in self._common) for word in {letters, plain}):
            raise ValidationError(_("密码过于常见（常见单词加数字或符号），请换一个。"), code="password_too_common")
        if pattern_share(password) >= 0.5:
            raise ValidationError(
                _("密码大部分是连续、重复或键盘相邻的字符（如 123456、aaaa、qwer），请换一个。"),
                code="password_pattern",
            )

    def get_help_text(self):
        return _("不能是常见单词加数字或符号，也不能大部分是连续、重复或键盘相邻的字符。")


def max_age() -> timedelta:
    return timedelta(days=getattr(settings, "PASSWORD_MAX_AGE_DAYS", 90))


def password_expired(user) -> bool:
    changed = getattr(user, "password_changed_at", None)
    return changed is not None and changed < timezone.now() - max_age()


def must_change(user) -> bool:
    return bool(user.must_change_password) or password_expired(user)
