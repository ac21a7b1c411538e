"""The cities Paiqian knows by code, with their display names (msgids).

A worker's city is where they work and are insured (参保地); its code picks
the city's minimum wage, average wage and insurance policy.
"""

from __future__ import annotations

from service.errors import N_

CITY_NAMES: dict[str, str] = {
    "beijing": N_("Beijing"),
    "shanghai": N_("Shanghai"),
    "hangzhou": N_("Hangzhou"),
    "chengdu": N_("Chengdu"),
}
