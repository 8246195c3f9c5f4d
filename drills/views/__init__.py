"""The drills pages: one blueprint, its routes split by concern."""

from drills.views import board, drill, evaluation, findings
from drills.views.common import bp

my_drills_card = drill.my_drills_card
board_card = board.board_card

__all__ = ["bp", "board", "drill", "evaluation", "findings", "my_drills_card", "board_card"]
