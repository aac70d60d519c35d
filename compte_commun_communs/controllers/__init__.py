from . import portal_funder
from . import public
from . import portal_steward
from . import portal_steward_instruction
from . import portal_steward_governance
from . import portal_contributor
from . import portal_contributor_bank
from . import login_change
