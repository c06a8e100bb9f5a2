"""The log file: in the data folder, redacted, rotating, at the preference's level, written by the CLI."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bigbooks_desktop.core import logfile
from bigbooks_desktop.core.redact import forget_secret, register_secret


@pytest.fixture
def app_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("bigbooks_desktop")
    before = (list(logger.handlers), logger.level)
    yield logger
    for handler in logger.handlers:
        if handler not in before[0]:
            logger.removeHandler(handler)
            handler.close()
    logger.setLevel(before[1])


def test_log_file_lives_in_the_data_folder_and_never_holds_a_secret(
        bigbooks_home: Path, app_logger: logging.Logger) -> None:
    path = logfile.configure_logging("info")
    assert path == bigbooks_home / "logs" / "bigbooks.log"
    register_secret("live-token-1234567")
    try:
        logging.getLogger("bigbooks_desktop.http").info(
            "POST /token access_token=abc123secret refresh_token: %s Authorization: Bearer xyz.987", "rt-998877")
        logging.getLogger("bigbooks_desktop.sync").warning("order 5 used live-token-1234567 somehow")
        logging.getLogger("bigbooks_desktop.http").debug("GET /orders (debug: not at info)")
    finally:
        forget_secret("live-token-1234567")
    for handler in app_logger.handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    for secret in ("abc123secret", "rt-998877", "xyz.987", "live-token-1234567"):
        assert secret not in text
    assert "POST /token" in text and "order 5" in text and "WARNING" in text
    assert "GET /orders" not in text


def test_debug_level_from_the_environment_and_rotation(
        bigbooks_home: Path, app_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIGBOOKS_LOG_LEVEL", "debug")
    path = logfile.configure_logging("info")
    log = logging.getLogger("bigbooks_desktop.http")
    for index in range(12_000):                       # about 1.2 MB: one rotation
        log.debug("GET /stores/abc/v2/orders?page=%d -> 200 (%s)", index, "x" * 40)
    for handler in app_logger.handlers:
        handler.flush()
    assert (path.parent / "bigbooks.log.1").exists()
    assert path.stat().st_size <= 1_000_000


def test_the_cli_writes_the_log_file(bigbooks_home: Path, app_logger: logging.Logger,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from bigbooks_desktop.cli import main

    assert main(["runs", "--json"]) == 0
    capsys.readouterr()
    assert (bigbooks_home / "logs").is_dir()
    assert any(getattr(h, "name", "") == "bigbooks-logfile" for h in app_logger.handlers)
