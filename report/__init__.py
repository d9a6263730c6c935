from . import revenue_report
from . import revenue_report_rollforward
from . import revenue_report_backlog
from . import revenue_report_backlog_risk
from . import revenue_report_mrr
from . import revenue_report_mrr_movement
from . import revenue_report_mrr_reconciliation
from . import revenue_report_forecast
