"""The pipeline board and its phase move.

The board is for admins, managers and consultants (each sees their scope);
officials never use it (403). Moving a phase from the board follows the
engagement's management rule: admins everywhere, managers in their regions;
a consultant on the team sees the engagement but may not move it (403).
"""

from tests.access import statuses
from tests.access.engagements import manage, rows

ROWS = {
    ("pipeline.board", "GET", ""): ("/pipeline/", statuses(admin=200, manager=200, consultant=200, official=403)),
} | rows("pipeline.move", "GET", "/pipeline/engagements/<>/phase", "engagement", manage(200)) | rows(
    "pipeline.move", "POST", "/pipeline/engagements/<>/phase", "engagement", manage(422)
)
