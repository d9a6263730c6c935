from . import revenue_recognition_wizard
from . import revenue_hold_wizard
from . import revenue_update_terms_wizard
from . import account_move_reversal
