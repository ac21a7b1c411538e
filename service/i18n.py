"""Translations: zh-CN first, English second, from the catalogues in web/i18n.

Message ids in code and templates are English; the zh_CN catalogue gives the
Chinese every page shows by default.  Catalogues are read from the ``.po``
files at start-up, so there is no compile step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from service.errors import DomainError, Label
from service.settings import PROJECT_ROOT

I18N_DIR = PROJECT_ROOT / "web" / "i18n"
DEFAULT_LOCALE = "zh_CN"
LOCALES = {"zh_CN": "中文", "en": "English"}


def catalogue_path(locale: str) -> Path:
    return I18N_DIR / locale / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=len(LOCALES))
def _messages(locale: str) -> dict[str, str]:
    with catalogue_path(locale).open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    return {str(m.id): str(m.string) for m in catalogue if m.id and m.string}


@dataclass(frozen=True)
class Translator:
    locale: str = DEFAULT_LOCALE
    messages: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __call__(self, message: str, **params: object) -> str:
        text = self.messages.get(message, message)
        return text.format(**{k: self._param(v) for k, v in params.items()}) if params else text

    def _param(self, value: object) -> object:
        if isinstance(value, Label):
            return self.messages.get(value, value)
        if isinstance(value, tuple):
            labels = [v for v in value if isinstance(v, Label)]
            if labels and len(labels) == len(value):
                return ("、" if self.locale == "zh_CN" else ", ").join(self.messages.get(v, v) for v in labels)
        return value

    def error(self, error: DomainError) -> str:
        return self(error.message, **error.params)

    @property
    def html_lang(self) -> str:
        return self.locale.replace("_", "-")


def translator(locale: str | None) -> Translator:
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    return Translator(locale, _messages(locale))
