from . import portal_funder
from . import public
