from . import test_schedule_flow
from . import test_create_journal
from . import test_holds
from . import test_recognition_concurrency
from . import test_ui_tour
from . import test_i18n
from . import test_recognition_integrity
from . import test_schedule_validation
