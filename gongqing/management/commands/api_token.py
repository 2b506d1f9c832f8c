"""API tokens from the command line: create (the token is printed once), revoke by prefix or name, list."""

from django.core.management.base import BaseCommand, CommandError

from gongqing.api.auth import DEFAULT_DAYS, token_create, token_revoke
from gongqing.models import ApiToken, User
from gongqing.roles import Role


class Command(BaseCommand):
    help = "Create, revoke or list API tokens. Only a token's SHA-256 is stored: `create` prints the token once."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("name")
        # Not argparse-required: a missing or unknown --user gets an error that names the API client accounts, so the
        # admin can pick one. There is no default user: a token carries its user's access, so who it acts as is said.
        create.add_argument("--user", help="username the token acts as (usually an api_client account; required)")
        create.add_argument(
            "--scope",
            action="append",
            choices=ApiToken.SCOPES,
            dest="scopes",
            help="repeatable; default: read",
        )
        create.add_argument("--expires", type=int, default=DEFAULT_DAYS, help=f"days (default {DEFAULT_DAYS})")
        revoke = sub.add_parser("revoke", help="revoke a token by its 8-character prefix, or by its name")
        revoke.add_argument("prefix", metavar="PREFIX_OR_NAME")
        sub.add_parser("list", help="list tokens (prefix, owner, scopes, expiry, state)")

    def handle(self, *args, **options):
        return getattr(self, f"_{options['action']}")(options)

    def _create(self, options):
        user = User.objects.filter(username=options["user"]).first() if options["user"] else None
        if user is None:
            clients = list(
                User.objects.filter(role=Role.API_CLIENT, is_active=True)
                .order_by("username")
                .values_list("username", flat=True)
            )
            known = f"API client accounts: {', '.join(clients)}" if clients else "there is no active API client account"
            wanted = (
                f"no user {options['user']!r}" if options["user"] else "--user is required (the user the token acts as)"
            )
            raise CommandError(f"{wanted}; {known}.")
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
            # By name: the one active token of that name (a name is not unique, a prefix is).
            named = list(ApiToken.objects.filter(name=options["prefix"], revoked_at__isnull=True))
            if len(named) > 1:
                prefixes = ", ".join(t.prefix for t in named)
                raise CommandError(
                    f"{len(named)} active tokens are named {options['prefix']!r}: give the prefix ({prefixes})"
                )
            if not named:
                raise CommandError(f"no token with prefix or active token with name {options['prefix']!r}")
            token = named[0]
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
