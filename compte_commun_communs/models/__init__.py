from . import commons_need_category
from . import commons_resource
from . import commons_resource_need
from . import donation_line
