"""The manager's home: sessions waiting for review and engagements by phase, in scope."""

import re

from tests import factories
from tests.conftest import login
from tracker.models import Phase


def phase_count(page: str, phase: Phase) -> int:
    row = re.search(rf'phase={phase.value}">[^<]+</a></th>\s*<td class="number">(\d+)</td>', page)
    return int(row.group(1))


def test_manager_home_counts_engagements_by_phase_in_own_regions(client, manager, region, other_region):
    for phase in (Phase.REVIEW, Phase.REVIEW, Phase.ACCOMPANY):
        factories.EngagementFactory(company=factories.CompanyFactory(region=region), phase=phase)
    factories.EngagementFactory(company=factories.CompanyFactory(region=other_region), phase=Phase.REVIEW)
    login(client, manager)
    page = client.get("/").text
    assert phase_count(page, Phase.REVIEW) == 2
    assert phase_count(page, Phase.ACCOMPANY) == 1
    assert phase_count(page, Phase.CANDIDATE) == 0
    assert 'href="/pipeline/"' in page


def test_manager_home_without_engagements_says_so(client, manager):
    login(client, manager)
    page = client.get("/").text
    assert 'id="by-phase"' in page and "/pipeline/?phase=" not in page


def test_manager_home_queries_do_not_grow_with_engagements(client, manager, region, count_queries):
    login(client, manager)
    factories.EngagementFactory(company=factories.CompanyFactory(region=region))
    with count_queries() as few:
        client.get("/")
    for _ in range(20):
        factories.EngagementFactory(company=factories.CompanyFactory(region=region))
    with count_queries() as many:
        client.get("/")
    assert few.n == many.n
