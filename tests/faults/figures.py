"""The figure each fault test reports: how many requests (or events) it tried, how many were refused
correctly (a clear error, nothing kept), and how many were lost (accepted but not kept, kept wrong,
or answered with a server error). Lost must be 0."""
from dataclasses import dataclass


@dataclass
class Figure:
    name: str
    tried: int = 0
    refused: int = 0
    lost: int = 0
    note: str = ""

    def line(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return (f"{self.name}: {self.tried:,} tried, {self.refused:,} refused correctly, {self.lost:,} lost{note}")


def show(capsys, figure: Figure) -> None:
    """Print the figure past pytest's output capture, so every run shows it."""
    with capsys.disabled():
        print(f"\n[fault figure] {figure.line()}")
