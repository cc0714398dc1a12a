"""Command-line start on a fresh desktop: Chinese help for every argument; the frozen build's
own libraries (issue 13, item 8)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

import main

# Placeholders the README spells the same way (`db copy FROM TO`).
KEPT = {"FROM", "TO"}


def parsers(
    parser: argparse.ArgumentParser, name: str = "disclosure-desk"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from parsers(sub, f"{name} {sub_name}")


def shown_name(action: argparse.Action) -> str:
    if action.metavar is not None:
        return str(action.metavar)
    return action.dest if not action.option_strings else action.dest.upper()


def test_every_argument_has_a_chinese_name_and_help() -> None:
    found = []
    for name, parser in parsers(main.build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            takes_value = not action.option_strings or action.nargs != 0
            if not action.help:
                found.append(f"{name} {action.dest}: no help")
            if takes_value and shown_name(action).isascii() and shown_name(action) not in KEPT:
                found.append(f"{name} {action.dest}: shown as {shown_name(action)}")
    assert found == []


def test_the_frozen_build_does_not_ask_for_the_xcb_libraries_it_carries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ctypes.util

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(main.sys, "platform", "linux")
    monkeypatch.setattr(ctypes.util, "find_library", lambda _name: None)
    assert "libxcb-cursor0" in main.missing_xcb_packages()  # from a checkout: named
    monkeypatch.setattr(main.sys, "frozen", True, raising=False)
    assert main.missing_xcb_packages() == []
