"""The inspector's settings: :attr:`Settings.inspector <twhooks.settings.Settings.inspector>`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import ConfigurationError
from .defaults import Reader

__all__ = ["InspectorSettings"]


@dataclass(frozen=True, slots=True)
class InspectorSettings:
    """Whether the inspector is on, and who may open it.

    :param enabled: ``TWHOOKS_INSPECTOR``.
    :param password: ``TWHOOKS_INSPECTOR_PASSWORD``; ``None`` means no password, which is
        allowed only with ``app.debug`` or an *authorize* function.
    :param authorize: ``TWHOOKS_INSPECTOR_AUTHORIZE``: a function of the request that says
        who may open the inspector (the app's own login); ``None`` for none.
    :param login_limit: ``TWHOOKS_INSPECTOR_LOGIN_LIMIT``: wrong passwords a client may send
        in one window before it is locked out (429) until the window ends.
    :param login_global_limit: ``TWHOOKS_INSPECTOR_LOGIN_GLOBAL_LIMIT``: wrong passwords from
        everyone in one window before every client is locked out.
    :param login_window: ``TWHOOKS_INSPECTOR_LOGIN_WINDOW``: the window, in seconds.
    """

    enabled: bool
    password: str | None
    authorize: Callable[[Any], Any] | None = field(default=None, compare=False)
    login_limit: int = 10
    login_global_limit: int = 100
    login_window: float = 300.0

    def __repr__(self) -> str:  # never show the password
        shown = "None" if self.password is None else "'***'"
        return (
            f"InspectorSettings(enabled={self.enabled}, password={shown}, "
            f"authorize={self.authorize!r}, login_limit={self.login_limit}, "
            f"login_global_limit={self.login_global_limit}, login_window={self.login_window})"
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> InspectorSettings:
        """Read the ``TWHOOKS_INSPECTOR*`` settings from *config*.

        :raises ~twhooks.ConfigurationError: a setting has the wrong type.
        """
        get = Reader(config)
        enabled = get("TWHOOKS_INSPECTOR")
        if not isinstance(enabled, bool):
            raise ConfigurationError(f"TWHOOKS_INSPECTOR must be True or False, not {enabled!r}")
        password = get("TWHOOKS_INSPECTOR_PASSWORD")
        if password is not None and (not isinstance(password, str) or not password):
            raise ConfigurationError("TWHOOKS_INSPECTOR_PASSWORD must be a non-empty str or None")
        authorize = get("TWHOOKS_INSPECTOR_AUTHORIZE")
        if authorize is not None and not callable(authorize):
            raise ConfigurationError(
                "TWHOOKS_INSPECTOR_AUTHORIZE must be a function of the request, "
                f"not a {type(authorize).__name__}"
            )
        return cls(
            enabled,
            password,
            authorize=authorize,
            login_limit=get.positive_int("TWHOOKS_INSPECTOR_LOGIN_LIMIT"),
            login_global_limit=get.positive_int("TWHOOKS_INSPECTOR_LOGIN_GLOBAL_LIMIT"),
            login_window=get.positive_number("TWHOOKS_INSPECTOR_LOGIN_WINDOW"),
        )

    def check(self, debug: bool) -> None:
        """Refuse an inspector that anyone could open.

        The inspector shows every webhook's parameters (phone numbers, message bodies): it is
        turned on only in debug mode, behind a password or behind the app's own login.

        :param debug: ``app.debug``.
        :raises ~twhooks.ConfigurationError: the inspector is on without debug mode, without
            a password and without an *authorize* function.
        """
        if self.enabled and not debug and self.password is None and self.authorize is None:
            raise ConfigurationError(
                "TWHOOKS_INSPECTOR is on without debug mode, without "
                "TWHOOKS_INSPECTOR_PASSWORD and without TWHOOKS_INSPECTOR_AUTHORIZE: it shows "
                "every webhook's numbers and messages, so set a password (HTTP basic, any user "
                "name), put it behind your app's login, or turn it on only in development"
            )
