from . import test_schedule_flow
