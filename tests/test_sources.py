"""Web pages, web archives, language and duplicate filters (extractor.sources)."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from extractor.records import Record, Rejected, Skipped
from extractor.sources import (
    NearDuplicateIndex,
    detect_language,
    html_to_record,
    is_german,
    iter_warc,
    looks_like_html,
)

FIXTURES = Path(__file__).parent / "fixtures" / "html"
BOEING = FIXTURES / "ariva-boeing-2016-02-23.html"
PELLETS = FIXTURES / "anleihencheck-german-pellets-2016-02-25.html"
BOEING_URL = "http://ariva.de/news/kolumnen/Boeing-holt-zum-KAHLSCHLAG-aus-5658313"
PELLETS_URL = "http://www.anleihencheck.de/news/Artikel-Nieding_Barth_German_Pellets_Insolvenz_zieht_immer_weitere_Kreise-7042470"


@pytest.fixture(scope="module")
def boeing() -> Record:
    return html_to_record(BOEING.read_bytes(), id="boeing", url=BOEING_URL, origin="boeing.html")


@pytest.fixture(scope="module")
def pellets() -> Record:
    return html_to_record(PELLETS.read_bytes(), id="pellets", url=PELLETS_URL)


# --- HTML ---------------------------------------------------------------


def test_html_keeps_article_sentences(boeing: Record, pellets: Record) -> None:
    assert "Nun will Boeing im Zuge dessen den Rotstift rausholen und in seiner Zivilflugzeugsparte Stellen streichen." in boeing.text
    assert "Weiter so Boeing, wolle man mit dem Stellenabbau in der Führungsebene beginnen." in boeing.text
    assert "Jetzt hat das zuständige Gericht auch bei etlichen Tochterunternehmen die vorläufige Insolvenzverwaltung angeordnet." in pellets.text
    assert "hat das Amtsgericht Schwerin jeweils Herrn Rechtsanwalt Dr. Sven-Holger Undritz" in pellets.text
    assert "\n" in pellets.text  # paragraphs stay separate lines


@pytest.mark.parametrize(
    "junk",
    [
        "Online-Broker: Depot-Vergleich",
        "Verwendung von Cookies",
        "Artikel ins Forum einfügen",
        "Jetzt hier klicken",
        "ARIVA.DE veröffentlicht in dieser Rubrik",
    ],
)
def test_html_drops_boeing_navigation(boeing: Record, junk: str) -> None:
    assert junk not in boeing.text


@pytest.mark.parametrize(
    "junk",
    [
        "FCR Immobilien AG kauft",
        "Schäuble vor G20-Treffen",
        "DAX - 9.300 Punke im Fokus",
        "RWE-Tochter ELMU",
    ],
)
def test_html_drops_teasers_of_other_stories(pellets: Record, junk: str) -> None:
    assert junk not in pellets.text


def test_html_metadata(boeing: Record, pellets: Record) -> None:
    assert boeing.title == "Boeing holt zum KAHLSCHLAG aus…"
    assert boeing.date == "2016-02-23"
    assert boeing.url == BOEING_URL
    assert boeing.source == "ariva.de"
    assert boeing.origin == "boeing.html"
    assert boeing.meta["author"] == "Robert Sasse"
    assert pellets.title is not None and pellets.title.startswith("Nieding+Barth: German Pellets Insolvenz zieht immer weitere Kreise")
    assert "|" not in pellets.title
    assert pellets.date == "2016-02-25"
    assert not pellets.text.startswith("Nieding+Barth")  # the headline is in `title`, not repeated in `text`


def test_html_decoding_prefers_valid_utf8_over_stale_charset() -> None:
    page = '<html><head><meta charset="iso-8859-1"><title>T</title></head><body><article><p>{}</p></article></body></html>'
    body = "Die Übernahme der Münchner Gesellschaft durch den Großkonzern ist abgeschlossen, teilte das Unternehmen mit. " * 3
    utf8 = html_to_record(page.format(body).encode("utf8"), id="u")
    latin = html_to_record(page.format(body).encode("cp1252"), id="l")
    assert "Übernahme der Münchner" in utf8.text
    assert "Übernahme der Münchner" in latin.text


def test_html_without_main_text_gives_empty_record() -> None:
    for page in ("", "<html><body><nav><a href='/'>Start</a></nav></body></html>", b"\x00\xff garbage"):
        rec = html_to_record(page, id="empty")
        assert rec.text == ""
        assert rec.meta["extraction"] == "empty"


def test_looks_like_html() -> None:
    assert looks_like_html(BOEING.read_text(encoding="utf8"))
    assert looks_like_html("\ufeff  <!DOCTYPE html><html><body>x</body></html>")
    assert not looks_like_html("BMW und GM verhandeln über eine Kooperation <b>bei</b> Motoren.")
    assert not looks_like_html('{"id": "1", "text": "<p>Hallo</p>"}')


# --- WARC ---------------------------------------------------------------


def _write_warc(path: Path, gzip_records: bool) -> list[str]:
    """Two article responses, a request, an image, a 404 and a metadata record."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip_records)
        ids = []

        def response(url: str, payload: bytes, status: str, ctype: str, date: str) -> None:
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = writer.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http,
                                            warc_headers_dict={"WARC-Date": date})
            ids.append(rec.rec_headers.get_header("WARC-Record-ID"))
            writer.write_record(rec)

        req = writer.create_warc_record(BOEING_URL, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\nHost: ariva.de\r\n\r\n"))
        writer.write_record(req)
        response(BOEING_URL, BOEING.read_bytes(), "200 OK", "text/html; charset=utf-8", "2016-03-01T10:00:00Z")
        response("http://ariva.de/logo.png", b"\x89PNG\r\n\x1a\n", "200 OK", "image/png", "2016-03-01T10:00:01Z")
        response("http://ariva.de/gone", b"<html><body>Not found</body></html>", "404 Not Found", "text/html", "2016-03-01T10:00:02Z")
        writer.write_record(writer.create_warc_record("urn:meta", "metadata", payload=io.BytesIO(b"outlinks: none"),
                                                      warc_content_type="application/warc-fields"))
        response(PELLETS_URL, PELLETS.read_bytes(), "200 OK", "text/html", "2016-03-02T11:00:00Z")
    return ids


@pytest.mark.parametrize("suffix,gz", [(".warc.gz", True), (".warc", False)])
def test_warc_records_and_skips(tmp_path: Path, suffix: str, gz: bool) -> None:
    path = tmp_path / f"crawl{suffix}"
    ids = _write_warc(path, gz)
    items = list(iter_warc(str(path)))
    records = [i for i in items if isinstance(i, Record)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert not [i for i in items if isinstance(i, Rejected)]
    assert [r.id for r in records] == [ids[0].strip("<>"), ids[3].strip("<>")]
    assert [r.url for r in records] == [BOEING_URL, PELLETS_URL]
    assert [r.date for r in records] == ["2016-02-23", "2016-02-25"]  # publication date beats crawl date
    assert records[0].meta["crawl_date"] == "2016-03-01T10:00:00Z"
    assert records[0].origin.startswith(f"{path}:")
    assert "Zivilflugzeugsparte Stellen streichen" in records[0].text
    assert "Amtsgericht Schwerin" in records[1].text
    assert [s.reason for s in skipped] == ["warc request", "non-html image/png", "http 404", "warc metadata"]
    assert all(s.file == str(path) for s in skipped)


def test_warc_crawl_date_is_fallback(tmp_path: Path) -> None:
    path = tmp_path / "nodate.warc"
    page = "<html><body><article>" + "<p>Die Bank erhöht ihre Prognose für das laufende Geschäftsjahr deutlich, sagte der Vorstand.</p>" * 4 + "</article></body></html>"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("http://example.org/a", "response", payload=io.BytesIO(page.encode()),
                                                      http_headers=http, warc_headers_dict={"WARC-Date": "2016-05-04T08:00:00Z"}))
    (record,) = list(iter_warc(str(path)))
    assert isinstance(record, Record)
    assert record.date == "2016-05-04"


@pytest.mark.parametrize("suffix,gz", [(".warc.gz", True), (".warc", False)])
def test_truncated_warc_gives_rejected(tmp_path: Path, suffix: str, gz: bool) -> None:
    full = tmp_path / f"full{suffix}"
    _write_warc(full, gz)
    data = full.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[: len(data) - 2000])  # inside the last response
    items = list(iter_warc(str(cut)))
    assert isinstance(items[-1], Rejected)
    assert items[-1].file == str(cut) and items[-1].line == 6 and items[-1].raw == b""
    assert "truncated" in items[-1].reason
    assert len([i for i in items if isinstance(i, Record)]) == 1  # the partial page is not passed on


def test_garbage_warc_gives_rejected(tmp_path: Path) -> None:
    path = tmp_path / "garbage.warc.gz"
    path.write_bytes(gzip.compress(b"this is no WARC at all\n" * 10)[:40])
    items = list(iter_warc(str(path)))
    assert len(items) == 1 and isinstance(items[0], Rejected)


# --- language -----------------------------------------------------------


def test_language_german_article(pellets: Record) -> None:
    assert detect_language(pellets.text) == "de"
    assert is_german(pellets.text)


def test_language_other_languages() -> None:
    english = ("The company said on Tuesday that it would cut about 12,000 jobs, or 11 percent of its workforce, "
               "as it tries to reduce its dependence on the shrinking market for personal computers. "
               "The chipmaker also gave a disappointing revenue forecast for the second quarter.")
    french = ("Le constructeur a annoncé mardi qu'il allait supprimer environ 12 000 emplois dans le monde, "
              "soit 11 % de ses effectifs, afin de réduire sa dépendance au marché des ordinateurs personnels. "
              "Les ventes ont reculé pour la deuxième année consécutive selon les analystes.")
    assert detect_language(english) == "en" and not is_german(english)
    assert detect_language(french) == "fr" and not is_german(french)


def test_language_short_text_is_undecided_and_kept() -> None:
    assert detect_language("Fandemo bleibt friedlich heute Abend") is None
    assert is_german("Fandemo bleibt friedlich heute Abend")
    assert is_german("RT @NN_Online: #Nürnberg Person sprang am Hauptbahnhof ins Gleis - Verzögerungen auf den Linien U2 und U3 https://t.co/RM9oKa0U8w")


# --- duplicates ---------------------------------------------------------


def test_dedup_exact_and_near_duplicates(boeing: Record, pellets: Record) -> None:
    index = NearDuplicateIndex()
    text = pellets.text
    assert index.check("first", text) is None
    assert index.check("exact", "  " + text.replace("\n", "\n\n") + " ") == "first"
    headline_changed = "Anleger von German Pellets organisieren sich\n" + text
    assert index.check("headline", headline_changed) == "first"
    extra = text + "\nNieding+Barth vertritt nach eigenen Angaben bereits zahlreiche Anleger der German Pellets GmbH und bietet eine kostenlose Ersteinschätzung an."
    assert index.check("extra", extra) == "first"
    dropped = "\n".join(text.split("\n")[:-1])
    assert index.check("dropped", dropped) == "first"


def test_dedup_different_article_same_topic(pellets: Record) -> None:
    index = NearDuplicateIndex()
    assert index.check("first", pellets.text) is None
    other = ("Der insolvente Holzpellet-Hersteller German Pellets aus Wismar sucht einen Investor. Der vorläufige "
             "Insolvenzverwalter Bettina Schmudde sagte am Freitag, der Geschäftsbetrieb laufe weiter und die rund "
             "650 Mitarbeiter hätten ihre Löhne über das Insolvenzgeld erhalten. Mehrere Interessenten hätten sich "
             "bereits gemeldet, darunter Finanzinvestoren und ein Wettbewerber aus Österreich. Die Anleger der "
             "Anleihe müssen dagegen mit hohen Verlusten rechnen, wie es aus Kreisen der Gläubiger hieß.")
    assert index.check("other", other) is None


def test_dedup_short_texts_only_exact() -> None:
    index = NearDuplicateIndex()
    assert index.check("t1", "Streik bei der Lufthansa: Piloten legen am Montag die Arbeit nieder") is None
    assert index.check("t2", "Streik bei der Lufthansa: Flugbegleiter legen am Montag die Arbeit nieder") is None
    assert index.check("t3", "streik bei der LUFTHANSA - Piloten legen am Montag die Arbeit nieder!") == "t1"


def test_dedup_deterministic_across_processes() -> None:
    code = (
        "from pathlib import Path; from extractor.sources import NearDuplicateIndex, html_to_record;"
        f"t = html_to_record(Path({str(PELLETS)!r}).read_bytes(), id='p').text;"
        "print(list(NearDuplicateIndex()._signature(t.lower().split())[0]))"
    )
    runs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}, cwd=Path(__file__).parents[1]).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1


def test_dedup_fresh_instances_agree_and_memory_is_bounded(boeing: Record, pellets: Record) -> None:
    stream = [("p", pellets.text), ("b", boeing.text), ("p2", pellets.text + "\nEin weiterer Satz zum Schluss."), ("b2", boeing.text)]
    first, second = NearDuplicateIndex(), NearDuplicateIndex()
    assert [first.check(i, t) for i, t in stream] == [second.check(i, t) for i, t in stream] == [None, None, "p", "b"]
    small = NearDuplicateIndex(max_items=1)
    assert small.check("p", pellets.text) is None
    assert small.check("b", boeing.text) is None  # evicts "p"
    assert len(small) == 1
    assert small.check("p2", pellets.text) is None  # forgotten
    assert small.check("p3", pellets.text) == "p2"
