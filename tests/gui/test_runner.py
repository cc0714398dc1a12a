"""The operation runner: long operations off the GUI thread, cancel rolls back, Result is obeyed."""

from __future__ import annotations

import datetime as dt
import threading

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases import actions
from cases.errors import Refused
from cases.office import users
from cases.progress import Progress
from cases.result import Changes, Notice, Result
from cases.storage.model import AuditRecord, Case, User
from cases.storage.store import Store
from gui.operations import OperationRunner
from tests.actions_support import applicant


def _handler(store: Store) -> User:
    with store.transaction() as s:
        admin = users.create_user(
            s, None, username="admin", display_name="管理员", roles=["admin"]
        ).value
        return users.create_user(
            s, admin, username="wang", display_name="王承办", roles=["handler"]
        ).value


def _counts(store: Store) -> tuple[int, int]:
    with store.session() as s:
        cases = s.scalar(select(func.count(Case.id))) or 0
        trail = s.scalar(select(func.count(AuditRecord.id))) or 0
    return cases, trail


def _register_many(user: User, n: int, gate: threading.Event | None = None):  # type: ignore[no-untyped-def]
    def op(session: Session, progress: Progress) -> Result[list[int]]:
        ids: list[int] = []
        for i in range(n):
            progress.step(i, n, f"登记第{i + 1}件")
            case = actions.register(
                session,
                user,
                channel="in_person",
                applicant=applicant(f"申请人{i}"),
                description="申请公开某地块征收补偿方案",
                received=dt.date.today(),
            ).value
            session.flush()
            ids.append(case.id)
            if gate is not None and i == 2:
                gate.wait(10)  # the test cancels here, with three cases written
        progress.step(n, n)
        return Result(ids, Changes.of_cases(ids, case_list=True))

    return op


def test_a_cancelled_long_operation_leaves_the_database_unchanged(
    store: Store, qtbot: QtBot
) -> None:
    user = _handler(store)
    before = _counts(store)
    runner = OperationRunner(store)
    seen: list[object] = []
    runner.changed.connect(seen.append)
    gate = threading.Event()
    task = runner.run("批量登记", _register_many(user, 10, gate))
    qtbot.waitUntil(lambda: task.dialog.value() >= 2, timeout=10_000)
    with qtbot.waitSignal(runner.cancelled, timeout=10_000) as cancelled:
        button = task.dialog.findChild(QPushButton)
        assert button is not None and button.text() == "取消"
        button.click()  # the dialog's own 取消 button
        gate.set()
    assert cancelled.args == ["批量登记"]
    assert task.state == "cancelled"
    assert _counts(store) == before  # three cases and their trail were rolled back
    assert seen == []
    assert not runner.busy


def test_a_long_operation_commits_and_reports_its_changes(store: Store, qtbot: QtBot) -> None:
    user = _handler(store)
    runner = OperationRunner(store)
    got: list[list[int]] = []
    with qtbot.waitSignal(runner.changed, timeout=10_000) as changed:
        task = runner.run("批量登记", _register_many(user, 4), on_done=got.append)
    assert task.state == "committed"
    assert _counts(store)[0] == 4
    assert changed.args[0] == Changes.of_cases(got[0], case_list=True)


def test_refusals_and_warnings_are_the_cores_words(store: Store, qtbot: QtBot) -> None:
    runner = OperationRunner(store)
    refused: list[tuple[str, str]] = []
    warned: list[tuple[str, object]] = []
    runner.refused.connect(lambda a, m: refused.append((a, m)))
    runner.warned.connect(lambda a, w: warned.append((a, w)))

    def refuse(session: Session) -> Result[None]:
        session.add(User(username="x", display_name="x", roles="admin"))
        session.flush()
        raise Refused("name", "名称不能为空")

    assert runner.write("保存", refuse) is None
    assert refused == [("保存", "名称不能为空")]
    assert runner.last_refusal is not None and runner.last_refusal.field == "name"
    with store.session() as s:
        assert s.scalar(select(func.count(User.id))) == 0  # the flushed row was rolled back

    notice = Notice("applicant.id_number", "身份证号码校验位不符")
    value = runner.write("登记", lambda s: Result(7, Changes(case_list=True), (notice,)))
    assert value == 7
    assert warned == [("登记", (notice,))]


def test_a_refusal_inside_a_long_operation_is_reported(store: Store, qtbot: QtBot) -> None:
    runner = OperationRunner(store)

    def op(session: Session, progress: Progress) -> None:
        progress.step(1, 2)
        raise Refused("file", "文件格式不对")

    with qtbot.waitSignal(runner.refused, timeout=10_000) as refused:
        task = runner.run("导入", op)
    assert refused.args == ["导入", "文件格式不对"]
    assert task.state == "refused"
