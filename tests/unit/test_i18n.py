"""The catalogues in web/i18n: zh_CN complete, placeholders intact, en present."""

from __future__ import annotations

import re

import pytest

from service.i18n import catalogue_path, translator
from service.i18n_catalogue import extract, missing_translations

PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@pytest.fixture(scope="module")
def msgids() -> list[str]:
    return sorted(str(message.id) for message in extract() if message.id)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_sources_have_msgids(msgids: list[str]) -> None:
    assert "Roster" in msgids  # a template string
    assert "Enter an ID number." in msgids  # an N_() string in a rule module


def test_every_msgid_has_a_zh_cn_translation(msgids: list[str]) -> None:
    zh = translator("zh_CN").messages
    untranslated = [msgid for msgid in msgids if not zh.get(msgid)]
    assert untranslated == [], "run `paiqian i18n update` and translate these in zh_CN"
    assert missing_translations("zh_CN") == []


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_translations_keep_the_placeholders(locale: str) -> None:
    wrong = {msgid: text for msgid, text in translator(locale).messages.items() if placeholders(text) != placeholders(msgid)}
    assert wrong == {}


def test_translations_format_with_the_msgid_params(msgids: list[str]) -> None:
    t = translator("zh_CN")
    for msgid in msgids:
        params = {name[1:-1]: "x" for name in PLACEHOLDER.findall(msgid)}
        if params:
            assert "{" not in t(msgid, **params), msgid


def test_en_catalogue_exists_and_falls_back_to_the_msgid() -> None:
    assert catalogue_path("en").is_file()
    assert translator("en")("Roster") == "Roster"
    assert translator("en")("Grade {grade}", grade=3) == "Grade 3"


def test_zh_cn_translates() -> None:
    t = translator("zh_CN")
    assert t("Roster") == "花名册"
    assert t("Sign in") == "登录"
    assert t("Grade {grade}", grade=3) == "3级"
    assert t.html_lang == "zh-CN"


def test_unknown_locale_falls_back_to_zh_cn() -> None:
    assert translator("fr")("Roster") == "花名册"


def test_excel_headers_and_labels_are_unambiguous() -> None:
    """The import reads headers and labels in either language: no two may share a text."""
    from service.workforce.models import LABELS
    from service.workforce.roster.excel import HEADERS

    for msgids in (list(HEADERS.values()), list(LABELS.values())):
        texts = [t(msgid) for t in (translator("zh_CN"), translator("en")) for msgid in msgids]
        assert len(set(texts)) == len(texts), texts


def test_label_parameters_are_translated_and_plain_ones_are_not() -> None:
    from service.assessment.ratings import Rating
    from service.errors import Label

    zh = translator("zh_CN")
    assert zh("There are two quotas for {rating}.", rating=Rating.EXCELLENT.label).count("优秀") == 1
    assert "Active" in zh("“{value}” is not one of the allowed values.", value="Active")  # a typed value stays as typed
    joined = zh._param((Label("Excellent"), Label("Good")))
    assert joined == "优秀、优良"
