"""Pipeline reports: flow over time and workload.

Like the board: admins, managers and consultants (each over their own
engagements); officials never (403). The pages name no record, so the only
variant is "".
"""

from tests.access import statuses

PIPELINE_PAGE = statuses(admin=200, manager=200, consultant=200, official=403)

ROWS = {
    ("pipeline.flow", "GET", ""): ("/pipeline/flow", PIPELINE_PAGE),
    ("pipeline.workload", "GET", ""): ("/pipeline/workload", PIPELINE_PAGE),
}
