"""Bot detection against public User-Agent lists that the detector does not ship as its data.

    python -m bench.bots [--matomo] [--extra bots:FILE] [--extra browsers:FILE] [--misses N]

For every list in ``tests/eval/corpora/`` (sources and licences in the README there) it
classifies each User-Agent with the collector's parser and prints, per list:

- a **bot list**: recall, the share the collector does not count by default (``bot``)
  plus the share it calls a library (counted unless the site sets ``drop_libraries``:
  these lists call HTTP libraries crawlers, Matomo counts them); the target, on every
  independent bot list, is bot + library ≥ 97 %;
- a **browser list**: the share dropped as ``bot`` (target ≤ 0.5 %), and the share
  called a library;
- **precision** of the drop, per bot list: of the User-Agents dropped from that list plus
  every browser list, the share that came from the bot list.

``--matomo`` adds, for each miss, what Matomo's own detector (device-detector's full
parse) makes of it: these lists call feed readers, in-app browsers and apps bots, which
Matomo counts, and so does the collector by design; and isbot's browser list holds
monitors, crawlers and injection payloads. The targets then apply to those columns.
``--extra kind:FILE`` adds a list of your own (one User-Agent a line), e.g. the larger
lists ``isbot``'s repository collects (myip.ms, user-agents.net), which are not shipped
here for want of a stated licence. ``--misses N`` prints up to N misses per list.

Runs in the installed build (compiled or not); ``COLLECTOR_PLAIN_MODULES=1`` runs the
plain modules, as the test suite does.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA_DIR = ROOT / "tests" / "eval" / "corpora"
TARGET_RECALL = 0.97  # bots + libraries caught, on each independent bot list
TARGET_BROWSERS_DROPPED = 0.005  # real browsers dropped as bots, on each browser list

if os.environ.get("COLLECTOR_PLAIN_MODULES") == "1":  # the suite's plain mode (tests/native_mode.py)
    sys.path.insert(0, str(ROOT))
    import tests.native_mode  # noqa: F401


@dataclass(frozen=True)
class Corpus:
    name: str
    kind: str  # "bots" or "browsers"
    path: Path
    independent: bool = True  # not the detector's own data, nor its fixtures

    def user_agents(self) -> list[str]:
        return [line for line in self.path.read_text(encoding="utf-8").split("\n") if line.strip()]


# The shipped lists: each file's source and licence in tests/eval/corpora/README.md.
CORPORA: tuple[Corpus, ...] = (
    Corpus("isbot-crawlers", "bots", CORPORA_DIR / "isbot-crawlers.txt"),
    Corpus("monperrus-crawler-user-agents", "bots", CORPORA_DIR / "monperrus-crawler-user-agents.txt"),
    Corpus("kikobeats-top-crawler-agents", "bots", CORPORA_DIR / "kikobeats-top-crawler-agents.txt"),
    Corpus("isbot-browsers", "browsers", CORPORA_DIR / "isbot-browsers.txt"),
    Corpus("intoli-user-agents", "browsers", CORPORA_DIR / "intoli-user-agents.txt"),
    Corpus("top-user-agents", "browsers", CORPORA_DIR / "top-user-agents.txt"),
)


@dataclass
class Score:
    corpus: Corpus
    total: int = 0
    kinds: Counter[str] = field(default_factory=Counter)  # browser/app/library/bot/unknown
    classes: Counter[str] = field(default_factory=Counter)  # bot classes
    misses: list[str] = field(default_factory=list)  # bots counted, or browsers dropped

    @property
    def bots(self) -> float:
        return self.kinds["bot"] / self.total if self.total else 0.0

    @property
    def libraries(self) -> float:
        return self.kinds["library"] / self.total if self.total else 0.0

    @property
    def caught(self) -> float:
        """Bot lists: bots and libraries (not counted, or not with drop_libraries)."""
        return self.bots + self.libraries


def score(corpus: Corpus) -> Score:
    from collector.ingest.clients import bot_class
    from collector.ingest.useragent import MAX_UA, default_parser

    parser = default_parser()
    result = Score(corpus)
    for text in corpus.user_agents():
        info, client = parser.parse_with_client(text[:MAX_UA])
        result.total += 1
        result.kinds[info.client] += 1
        if info.client == "bot":
            result.classes[bot_class(client)] += 1
        missed = info.client not in ("bot", "library") if corpus.kind == "bots" else info.client == "bot"
        if missed:
            result.misses.append(text)
    return result


# Matomo's client types of a person's software (device-detector's full parse): a bot list's
# entry of one of these is one Matomo counts, as the collector does.
MATOMO_COUNTED = frozenset({"browser", "feed reader", "mobile app", "pim", "mediaplayer"})


def matomo_verdict(text: str) -> str:
    """What Matomo's own detector (device-detector's full, slow parse) makes of a string:
    ``bot``, ``counted`` (a browser, app, feed reader, mail client or media player it
    names) or ``unknown``."""
    from device_detector import DeviceDetector

    found = DeviceDetector(text).parse()
    if found.is_bot():
        return "bot"
    kind = found.client_type()
    return "counted" if str(getattr(kind, "value", kind)) in MATOMO_COUNTED else "unknown"


@dataclass(frozen=True)
class MatomoView:
    """A list's figure where Matomo's detector agrees with the collector: a bot list's
    entries that Matomo counts as a person's client leave the list (the collector counts
    them too, by design); a browser list's drops that Matomo calls bots are not errors."""

    agreed: int  # misses of a bot list Matomo counts; drops of a browser list Matomo drops
    rate: float  # a bot list: caught of the rest; a browser list: dropped that Matomo counts


def matomo_view(result: Score) -> MatomoView:
    if result.corpus.kind == "bots":
        agreed = sum(matomo_verdict(text) == "counted" for text in result.misses)
        rest = result.total - agreed
        caught = result.total - len(result.misses)
        return MatomoView(agreed, caught / rest if rest else 1.0)
    agreed = sum(_injection(text) or matomo_verdict(text) == "bot" for text in result.misses)
    return MatomoView(agreed, (len(result.misses) - agreed) / result.total if result.total else 0.0)


def _injection(text: str) -> bool:
    """An injection payload (the ``attack`` class): no browser's string, whatever a list says."""
    from collector.ingest.clients import bot_class
    from collector.ingest.useragent import MAX_UA, default_parser

    return bot_class(default_parser().parse_with_client(text[:MAX_UA])[1]) == "attack"


def precision(bots: Score, browsers: Iterable[Score]) -> float:
    """Of what is dropped as a bot from ``bots`` and every browser list, the share from ``bots``."""
    true = bots.kinds["bot"]
    false = sum(s.kinds["bot"] for s in browsers)
    return true / (true + false) if true + false else 1.0


def meets_targets(scores: Sequence[Score], matomo: dict[str, MatomoView] | None = None) -> bool:
    """The targets, on the raw figures, or with ``matomo`` on the Matomo columns."""
    for s in scores:
        view = matomo.get(s.corpus.name) if matomo else None
        if s.corpus.kind == "bots" and s.corpus.independent:
            if (view.rate if view else s.caught) < TARGET_RECALL:
                return False
        elif s.corpus.kind == "browsers" and (view.rate if view else s.bots) > TARGET_BROWSERS_DROPPED:
            return False
    return True


def report(scores: Sequence[Score], misses: int, matomo: dict[str, MatomoView] | None = None) -> None:
    browsers = [s for s in scores if s.corpus.kind == "browsers"]
    extra = f"{'Matomo counts':>15}{'caught of rest':>16}" if matomo else ""
    print(f"{'bot list':<34}{'UAs':>7}{'bot':>9}{'library':>9}{'caught':>9}{'precision':>11}{extra}")
    for s in scores:
        if s.corpus.kind != "bots":
            continue
        view = matomo.get(s.corpus.name) if matomo else None
        more = f"{view.agreed:>15}{view.rate:>16.1%}" if view else ""
        mark = "" if s.corpus.independent else "  (not independent)"
        print(
            f"{s.corpus.name:<34}{s.total:>7}{s.bots:>9.1%}{s.libraries:>9.1%}{s.caught:>9.1%}"
            f"{precision(s, browsers):>11.2%}{more}{mark}"
        )
    print()
    extra = f"{'Matomo drops':>14}{'dropped of rest':>17}" if matomo else ""
    print(f"{'browser list':<34}{'UAs':>7}{'dropped':>9}{'library':>9}{'counted':>9}{extra}")
    for s in browsers:
        view = matomo.get(s.corpus.name) if matomo else None
        more = f"{view.agreed:>14}{view.rate:>17.2%}" if view else ""
        print(f"{s.corpus.name:<34}{s.total:>7}{s.bots:>9.2%}{s.libraries:>9.2%}{1 - s.bots:>9.2%}{more}")
    print()
    if matomo:
        print(
            "Matomo columns: device-detector's full parse of each miss. A bot list's entry it counts "
            "(a browser, app, feed reader…) is counted here too, by design; a browser list's entry "
            "it calls a bot (or an injection payload) is no false drop."
        )
    classes: Counter[str] = Counter()
    for s in scores:
        if s.corpus.kind == "bots":
            classes.update(s.classes)
    print("bot classes on the bot lists: " + ", ".join(f"{c} {n}" for c, n in classes.most_common()))
    on = "the Matomo columns" if matomo else "the raw figures"
    met = meets_targets(scores, matomo)
    print(
        f"targets ({on}): caught >= {TARGET_RECALL:.0%} on each independent bot list, dropped <= "
        f"{TARGET_BROWSERS_DROPPED:.1%} of each browser list: {'ok' if met else 'MISSED'}"
    )
    if misses:
        for s in scores:
            if s.misses:
                what = "counted" if s.corpus.kind == "bots" else "dropped"
                print(f"\n{s.corpus.name}: {len(s.misses)} {what}")
                for text in s.misses[:misses]:
                    print(f"  {text[:160]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bots", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="KIND:FILE",
        help="another list: bots:FILE or browsers:FILE (one User-Agent a line)",
    )
    parser.add_argument("--misses", type=int, default=0, help="print up to N misses per list")
    parser.add_argument(
        "--matomo",
        action="store_true",
        help="also ask Matomo's own detector (device-detector, ~30 ms a string) about each miss",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    corpora = list(CORPORA)
    for extra in args.extra:
        kind, sep, file = extra.partition(":")
        if not sep or kind not in ("bots", "browsers") or not Path(file).is_file():
            parser.error(f"--extra takes bots:FILE or browsers:FILE, got {extra!r}")
        corpora.append(Corpus(Path(file).stem, kind, Path(file)))
    from collector import native

    print(f"collector build: {native.summary()}")
    if native.stale():
        print("bench: compiled modules are older than their source (make build)", file=sys.stderr)
        return 2
    scores = [score(c) for c in corpora]
    views = {s.corpus.name: matomo_view(s) for s in scores} if args.matomo else None
    report(scores, args.misses, views)
    return 1 if args.strict and not meets_targets(scores, views) else 0


if __name__ == "__main__":
    sys.exit(main())
