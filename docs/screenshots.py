"""Screenshots of the real window on demo data (`make screenshots`), written to docs/screenshots/.

Builds a fresh database in a temporary data folder, fills it with demo cases, adds a desk of
users, then drives the window as a handler would: the to-do list, the registration form, one new
case carried through its steps, an action dialog and the letters panel. Each picture is the
widget as drawn (QWidget.grab) with the window at 1366×768.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter

from shots import SIZE, start


def main() -> int:
    home, app, shot = start("dd-shots-")

    from sqlalchemy import select

    from cases.office import users
    from cases.query.caselist import View
    from cases.sample import demo
    from cases.storage.model import Case
    from cases.storage.store import open_store
    from gui.mainwindow import MainWindow
    from gui.signin import FirstRunWizard, SignInDialog

    today = dt.date.today()

    store = open_store(home / "cases.sqlite")
    wizard = FirstRunWizard(store)
    wizard.resize(640, 460)
    wizard.show()
    wizard.admin_page.display_name.setText("陈管理")
    shot(wizard, "01-first-run-wizard")
    wizard.close()

    with store.transaction() as s:
        demo.generate(s, 600, seed=7, today=today, years=(today.year - 1, today.year))
        names = Counter(
            c.handler for c in s.scalars(select(Case).where(Case.archived_at.is_(None)))
        )
        handler_name = names.most_common(1)[0][0] or "王承办"
        admin = users.create_user(
            s, None, username="admin", display_name="陈管理", roles=["admin"], password="admin-123"
        ).value
        for username, display, roles in (
            ("wang", handler_name, ["handler"]),
            ("li", "李审核", ["reviewer"]),
            ("zhao", "赵签发", ["signer"]),
        ):
            users.create_user(
                s,
                admin,
                username=username,
                display_name=display,
                roles=roles,
                password="password-1",
            )
    with store.session() as s:
        desk = {u.username: u for u in users.active_users(s)}
        for u in desk.values():
            s.expunge(u)

    sign_in = SignInDialog(store)
    sign_in.who.setCurrentIndex(1)
    sign_in.show()
    shot(sign_in, "02-sign-in")
    sign_in.close()

    window = MainWindow(store, user=desk["wang"], today=lambda: today)
    window.resize(*SIZE)
    window.show()
    window.model.wait()
    window.show_pending_counts()
    window.detail.letters.open_url = lambda _url: True  # no word processor on the build machine
    shot(window, "03-to-do-list")

    dialog = window.register()
    assert dialog is not None
    dialog.name.setText("上海某某置业有限公司")
    dialog.kind.setCurrentIndex(dialog.kind.findData("enterprise"))
    dialog.id_type.setCurrentIndex(dialog.id_type.findData("uscc"))
    dialog.id_number.setText("91310230MA1K000000")
    dialog.phone.setText("021-59600000")
    dialog.address.setText("上海市崇明区城桥镇八一路100号")
    dialog.postcode.setText("202150")
    dialog.channel.setCurrentIndex(dialog.channel.findData("post_signed"))
    dialog.description.setPlainText(
        "申请公开长兴镇某地块国有土地上房屋征收决定及补偿方案、征收范围红线图。"
    )
    dialog.department.setEditText("区住房保障房屋管理局")
    shot(dialog, "04-registration")
    dialog.save.click()
    no = dialog.case_no
    dialog.reject()

    detail = window.detail

    def do(offer: str, **values: object) -> None:
        form = detail.open_offer(offer)
        assert form is not None
        for name, value in values.items():
            form.set_value(name, value)
        form.ok.click()
        if form.isVisible():
            raise SystemExit(f"{offer}: {form.error_text()}")

    shot(window, "05-case-registered")
    do("转入审核")
    do("转入分办")
    do("转入办理")
    do("发出征求意见", party="third_party", to="上海某某置业有限公司")
    detail.show_tab("clock")
    shot(window, "06-case-consulting-deadline")
    detail.show_tab("guidance")
    do("登记征求意见结果", opinion="agree")
    form = detail.open_offer("确定办理结果")
    assert form is not None
    form.set_value("code", "partial")
    shot(form, "07-outcome-dialog")
    form.reject()
    do("确定办理结果", code="disclose", reasons=["attached"])
    # Issue 12's tabs on this case: the checks before sign-off and the earlier, similar cases.
    detail.show_tab("checks")
    _settle(app, lambda: detail.smart.checks_tab.isVisible())
    shot(window, "20-checks-before-sign-off")
    detail.show_tab("similar")
    _settle(app, lambda: detail.smart.similar.isVisible())
    shot(window, "21-repeats-and-similar")
    detail.show_tab("guidance")
    letters = detail.letters
    detail.show_tab("letters")
    letters.kind.setCurrentIndex(letters.kind.findData("reply"))
    letters.draft()
    do("提交审核")
    window.set_user(desk["li"])
    window.detail.show_case(_case_id(store, no))
    do("审核通过")
    window.set_user(desk["zhao"])
    window.detail.show_case(_case_id(store, no))
    do("签发")
    window.set_user(desk["li"])
    window.show_cases(View.ALL)
    window.model.wait()
    window.select_row(window.model.row_of(_case_id(store, no)) or 0)
    detail.show_tab("letters")
    letters.select_letter(letters.model.rows[-1].id)
    letters.issue_selected()
    letters.select_letter(letters.model.rows[-1].id)
    shot(window, "08-letters-panel")
    window.set_user(desk["wang"])
    window.detail.show_case(_case_id(store, no))
    do("登记送达", method="ems", tracking_no="EA123456789CN")
    detail.show_tab("trail")
    shot(window, "09-timeline")
    window.close()
    store.close()
    return 0


def _settle(app: object, ready: object) -> None:
    """Let the tab's reading, which runs off the GUI thread, finish before the picture."""
    import time

    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication) and callable(ready)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.05)
        if ready() and time.monotonic() > end - 8:  # two seconds at least for the worker
            break


def _case_id(store: object, no: str) -> int:
    from sqlalchemy import select

    from cases.storage.model import Case
    from cases.storage.store import Store

    assert isinstance(store, Store)
    with store.session() as s:
        return int(s.scalars(select(Case.id).where(Case.no == no)).one())


if __name__ == "__main__":
    sys.exit(main())
