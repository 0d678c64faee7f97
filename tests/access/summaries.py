"""Regional summaries and exports.

Admins (all regions), managers and officials (their regions) read the summary
and download it; consultants never (403). The company list is for admins and
managers only: officials get 403. The pages name no record: variant "".
"""

from tests.access import statuses

SUMMARY = statuses(admin=200, manager=200, consultant=403, official=200)

ROWS = {
    ("summaries.index", "GET", ""): ("/summaries/", SUMMARY),
    ("summaries.export_csv", "GET", ""): ("/summaries/export.csv", SUMMARY),
    ("summaries.export_xlsx", "GET", ""): ("/summaries/export.xlsx", SUMMARY),
    ("summaries.companies_csv", "GET", ""): (
        "/summaries/companies.csv", statuses(admin=200, manager=200, consultant=403, official=403)
    ),
}
