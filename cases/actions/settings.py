"""Changing a setting or the office profile: the declared role checked, old → new audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cases.office import profile
from cases.result import Changes, Result
from cases.rules import settings
from cases.rules.workflow import require_role
from cases.storage import audit
from cases.storage.model import User

SETTINGS_CHANGED = Changes(settings=True)


def change_setting(session: Session, actor: User, key: str, new: Any) -> Result[Any]:
    """修改设置: one declared setting; refused, nothing written, if the value does not fit it."""
    declared = settings.spec(key)
    if key == settings.OFFICE_PROFILE:
        raise settings.SettingError(key, "机关信息请通过“保存机关信息”修改")
    require_role(actor, declared.role, f"修改“{declared.label}”")
    problem = declared.problem(new)
    if problem is not None:
        raise settings.SettingError(key, problem)
    try:
        old = settings.value(session, key)
    except settings.SettingError:  # a broken stored value is replaced; the trail shows it raw
        old = settings.stored(session, key)
    settings.write(session, key, new)
    audit.record(session, None, actor.username, "setting", {key: (old, new)})
    # A threshold of the clock moves warnings in every list; the lists must query again.
    moves_lists = key in (settings.AMBER_DAYS,)
    return Result(new, Changes(settings=True, case_list=moves_lists))


def save_profile(
    session: Session, actor: User, office: profile.OfficeProfile
) -> Result[profile.OfficeProfile]:
    """保存机关信息: validated as a whole (cases.office.profile), each changed field audited."""
    declared = settings.spec(settings.OFFICE_PROFILE)
    require_role(actor, declared.role, f"修改“{declared.label}”")
    saved = profile.save_profile(session, office, actor.username)
    return Result(saved, SETTINGS_CHANGED)
