"""API tokens from the command line: create (the token is printed once), revoke by prefix, list."""

from django.core.management.base import BaseCommand, CommandError

from gongqing.api.auth import DEFAULT_DAYS, token_create, token_revoke
from gongqing.models import ApiToken, User


class Command(BaseCommand):
    help = "Create, revoke or list API tokens. Only a token's SHA-256 is stored: `create` prints the token once."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("name")
        create.add_argument("--user", required=True, help="username the token acts as (usually an api_client)")
        create.add_argument(
            "--scope",
            action="append",
            choices=ApiToken.SCOPES,
            dest="scopes",
            help="repeatable; default: read",
        )
        create.add_argument("--expires", type=int, default=DEFAULT_DAYS, help=f"days (default {DEFAULT_DAYS})")
        revoke = sub.add_parser("revoke", help="revoke the token with this prefix")
        revoke.add_argument("prefix")
        sub.add_parser("list", help="list tokens (prefix, owner, scopes, expiry, state)")

    def handle(self, *args, **options):
        return getattr(self, f"_{options['action']}")(options)

    def _create(self, options):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}")
        if not user.is_active:
            raise CommandError(f"user {user.username!r} is disabled")
        if options["expires"] < 1:
            raise CommandError("--expires must be at least 1 day")
        token, raw = token_create(
            user=user, name=options["name"], scopes=options["scopes"] or ["read"], days=options["expires"]
        )
        self.stderr.write(
            f"token {token.prefix}… for {user.username} ({token.scopes}), expires {token.expires_at:%Y-%m-%d}. "
            "It is shown only now:"
        )
        self.stdout.write(raw)

    def _revoke(self, options):
        token = ApiToken.objects.filter(prefix=options["prefix"]).first()
        if token is None:
            raise CommandError(f"no token with prefix {options['prefix']!r}")
        if not token_revoke(token=token):
            raise CommandError(f"token {token.prefix}… was already revoked")
        self.stdout.write(f"revoked {token.prefix}…")

    def _list(self, options):
        from django.utils import timezone

        now = timezone.now()
        for t in ApiToken.objects.select_related("user"):
            state = "revoked" if t.revoked_at else "expired" if t.expires_at <= now else "active"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-"
            self.stdout.write(
                f"{t.prefix}\t{t.name}\t{t.user.username}\t{t.scopes}\t{t.expires_at:%Y-%m-%d}\t{state}\tused {used}"
            )
