"""The cities Paiqian knows by code, with their display names (msgids).

A worker's city is where they work and are insured (参保地); its code picks
the city's minimum wage, average wage and insurance policy.
"""

from __future__ import annotations

from service.errors import N_

BEIJING = "beijing"
SHANGHAI = "shanghai"
HANGZHOU = "hangzhou"
CHENGDU = "chengdu"

CITY_NAMES: dict[str, str] = {
    BEIJING: N_("Beijing"),
    SHANGHAI: N_("Shanghai"),
    HANGZHOU: N_("Hangzhou"),
    CHENGDU: N_("Chengdu"),
}
