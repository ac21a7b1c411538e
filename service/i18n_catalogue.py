"""Keeping the catalogues in web/i18n in step with the code and templates.

``extract()`` collects every msgid marked with ``_()`` / ``N_()`` in the
sources listed in ``web/i18n/babel.cfg``; ``update_catalogues()`` writes
``web/i18n/messages.pot`` and merges it into each locale's ``messages.po``
(existing translations kept, new msgids added untranslated, removed ones
dropped); ``missing_translations()`` lists the msgids a locale still lacks.

The files are written sorted by msgid, without source locations and with a
fixed header, so that a change in the code shows up as a small diff.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from service.i18n import I18N_DIR, LOCALES, catalogue_path
from service.settings import PROJECT_ROOT

MAPPING_FILE = I18N_DIR / "babel.cfg"
TEMPLATE_PATH = I18N_DIR / "messages.pot"
KEYWORDS: dict[str, None] = {"_": None, "N_": None}
# babel.cfg names extraction methods; these are the callables behind them.
METHODS = {"jinja2": "jinja2.ext:babel_extract"}


def _method_map() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    with MAPPING_FILE.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, filename=str(MAPPING_FILE))
    return [(pattern, METHODS.get(method, method)) for pattern, method in method_map], options_map


def extract(root: Path = PROJECT_ROOT) -> Catalog:
    """Every msgid in the sources, as a template catalogue."""
    method_map, options_map = _method_map()
    catalogue = Catalog(project="Paiqian", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(root, method_map, options_map, keywords=KEYWORDS):
        catalogue.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalogue


def _header(locale: str | None) -> bytes:
    lines = [
        "Project-Id-Version: Paiqian",
        *([f"Language: {locale}"] if locale else []),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    entries = "".join(f'"{line}\\n"\n' for line in lines)
    return ('msgid ""\nmsgstr ""\n' + entries + "\n").encode("utf-8")


def _write(path: Path, catalogue: Catalog, locale: str | None) -> None:
    body = io.BytesIO()
    write_po(
        body,
        catalogue,
        no_location=True,
        omit_header=True,
        sort_output=True,
        ignore_obsolete=True,
        include_lineno=False,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_header(locale) + body.getvalue())


def _read(locale: str) -> Catalog:
    path = catalogue_path(locale)
    if not path.exists():
        return Catalog(locale=locale, charset="utf-8", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def update_catalogues(root: Path = PROJECT_ROOT) -> dict[str, int]:
    """Write messages.pot and merge it into every locale; returns msgids per locale."""
    template = extract(root)
    _write(TEMPLATE_PATH, template, None)
    counts: dict[str, int] = {}
    for locale in LOCALES:
        catalogue = _read(locale)
        # No fuzzy matching: the app reads fuzzy entries as translations, so a
        # guessed translation would go live unreviewed.
        catalogue.update(template, no_fuzzy_matching=True, update_creation_date=False)
        for message in catalogue:
            message.locations = []
        _write(catalogue_path(locale), catalogue, locale)
        counts[locale] = sum(1 for message in catalogue if message.id)
    return counts


def missing_translations(locale: str, template: Catalog | None = None) -> list[str]:
    """Msgids of the sources whose msgstr in the locale's catalogue is empty (or absent), sorted."""
    template = template if template is not None else extract()
    catalogue = _read(locale)
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = catalogue.get(message.id, message.context)
        if translated is None or not translated.string:
            missing.append(str(message.id))
    return sorted(missing)
