"""Demo step: say where the demo's mail goes (the RMA demo has queued it by now)."""

from __future__ import annotations

from typing import TextIO

from shouhou.notify.transports.email import eml_directory


def load_demo(out: TextIO) -> None:
    directory = eml_directory()
    if directory is not None:
        out.write(f"邮件未配置 EMAIL_URL，写为 .eml 文件 / mail is written as .eml files to: {directory}\n")
