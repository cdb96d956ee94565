"""Bilingual pages: a number or name changed on one side is found; a faithful translation is left alone."""

from __future__ import annotations

import json

from detector.cli import main
from detector.damage.bilingual import bilingual_damage, check_pair, cjk_number, pair_lines
from detector.damage.gather import damage

ENGLISH = [
    "The influx of more than 700,000 new users has been driven by a looming ban, used by 170 million Americans.",
    "Many users on Wednesday posted messages, and the app rose to the top of the App Store on Jan 15.",
    "Analyst Liu said the platform had 300 million monthly users in 2024.",
]
CHINESE = [
    "由於美國即將禁止 1.7 億美國人使用的應用程式,因而湧入超過 70 萬名新用戶。",
    "許多用戶在週三發布了訊息,該應用程式在 1 月 15 日登上 App Store 榜首。",
    "分析師劉表示,該平台在 2024 年擁有 3 億月活躍用戶。",
]


def page(english: list[str], other: list[str]) -> str:
    return "".join(f"{e}\n{o}\n" for e, o in zip(english, other))


def test_a_faithful_bilingual_page_gets_no_report():
    text = page(ENGLISH, CHINESE)
    assert len(pair_lines(text)) == 3
    assert bilingual_damage(text)["spans"] == []


def test_a_number_changed_in_the_english_is_found_where_it_is():
    english = ENGLISH[:2] + [ENGLISH[2].replace("300 million", "800 million")]
    text = page(english, CHINESE)
    spans = bilingual_damage(text)["spans"]
    assert len(spans) == 1
    span = spans[0]
    assert span["text"] == "800 million" and text[span["start"] : span["end"]] == "800 million"
    assert text[span["other"]["start"] : span["other"]["end"]] == "3 億"
    assert "changed in translation" in span["reasons"][0]


def test_a_number_changed_in_the_other_line_and_a_changed_date_are_found():
    chinese = [CHINESE[0].replace("70 萬", "90 萬"), CHINESE[1].replace("1 月 15 日", "1 月 16 日"), CHINESE[2]]
    found = [s["text"] for s in bilingual_damage(page(ENGLISH, chinese))["spans"]]
    assert found == ["700,000", "15"]


def test_numbers_read_in_other_scripts_and_conventions():
    assert cjk_number("七万八千") == {78000.0} and cjk_number("1.7 億") == {1.7e8}
    german = "Der Park umfasst 2.600 Quadratkilometer."
    assert check_pair("The park covers 2,600 square kilometres.", german, "de") == []
    changed = check_pair("The park covers 2,900 square kilometres.", german, "de")
    assert [(m.kind, m.english.text, m.other.text) for m in changed] == [("different number", "2,900", "2.600")]
    assert check_pair("He was born in 1946 in the Bethnal Green district of London.",
                      "Er wurde 1946 im Londoner Stadtteil Bethnal Green geboren.", "de") == []


def test_a_name_kept_in_latin_letters_and_then_changed_is_found():
    english = "Zelinski met Kolonko in Warsaw on Monday to discuss the 2020 season."
    polish = "Zelinski spotkał się z Kolonko w Warszawie w poniedziałek, by omówić sezon 2020."
    assert check_pair(english, polish, "pl") == []
    changed = check_pair(english.replace("Kolonko", "Grabowsky"), polish, "pl")
    assert [(m.kind, m.english.text, m.other.text) for m in changed] == [("different name", "Grabowsky", "Kolonko")]


def test_seed_001_translation_agrees_with_its_english(seed_texts):
    found = damage(seed_texts["001"])["translation_mismatch"]
    assert found["pairs"] >= 10 and found["spans"] == []
    assert damage(seed_texts["004"])["translation_mismatch"] == {"score": 0.0, "pairs": 0, "spans": []}


def test_score_json_carries_the_mismatches(tmp_path, capsys):
    path = tmp_path / "page.txt"
    path.write_text(page(ENGLISH[:2] + [ENGLISH[2].replace("300", "800")], CHINESE), encoding="utf-8")
    assert main(["score", str(path), "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)["damage"]["translation_mismatch"]
    assert [s["text"] for s in found["spans"]] == ["800 million"]


def test_english_lists_and_tables_are_not_taken_for_a_translation():
    text = ("Phoenix Sky Harbor International Airport is the main airport, 15 minutes from downtown.\n"
            "Terminal 4: American (Gates A1-A14), Southwest (Gates C & D), Spirit, Sun Country\n"
            "Prilosec 20 mg b.i.d., levothyroxine 50 mcg q.d., Lopressor 75 mg q.d.\n")
    assert pair_lines(text) == [] and bilingual_damage(text)["spans"] == []
