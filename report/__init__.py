from . import revenue_cutoff
