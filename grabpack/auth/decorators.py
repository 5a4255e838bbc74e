"""Role checks for views: sign-in first, then the role, then (in the view) the scope."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from grabpack.models import Role

STAFF = (Role.NURSE, Role.WARD_MANAGER)


def roles_required(*roles: Role) -> Callable:
    """Signed-out users go to the sign-in page; other roles get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role_enum not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
